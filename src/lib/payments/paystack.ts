// Paystack at its documented HTTP API (Bearer secret key, JSON, `{ status, message, data }` answers):
// POST /transaction/initialize, GET /transaction/verify/:reference, POST /refund, POST /transferrecipient,
// POST /transfer. `fetch` is injectable so tests replace Paystack only at its HTTP boundary.
import { ProviderError, type ChargeStatus, type PaymentProvider, type TransferResult } from "./provider";

interface PaystackAnswer<T> {
  status: boolean;
  message: string;
  data: T;
}

export interface PaystackOptions {
  baseUrl: string;
  secretKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class PaystackProvider implements PaymentProvider {
  readonly name = "paystack" as const;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: PaystackOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async initialize(input: {
    reference: string;
    email: string;
    amount: number;
    currency: string;
    metadata: Record<string, string>;
  }) {
    const data = await this.call<{ authorization_url: string; access_code: string; reference: string }>(
      "POST",
      "/transaction/initialize",
      {
        email: input.email,
        amount: input.amount,
        currency: input.currency,
        reference: input.reference,
        metadata: input.metadata,
      },
    );
    return { authorizationUrl: data.authorization_url, reference: data.reference };
  }

  async verify(reference: string): Promise<ChargeStatus> {
    const data = await this.call<{ status: string; amount: number; currency: string; reference: string }>(
      "GET",
      `/transaction/verify/${encodeURIComponent(reference)}`,
    );
    const status: ChargeStatus["status"] =
      (["success", "failed", "abandoned"] as const).find((s) => s === data.status) ?? "pending";
    return { reference: data.reference, status, amount: data.amount, currency: data.currency };
  }

  async refund(input: { reference: string; amount: number }) {
    const data = await this.call<{ status: string }>("POST", "/refund", {
      transaction: input.reference,
      amount: input.amount,
    });
    return { status: data.status };
  }

  async createRecipient(input: { name: string; accountNumber: string; bankCode: string; currency: string }) {
    const data = await this.call<{ recipient_code: string }>("POST", "/transferrecipient", {
      type: "nuban",
      name: input.name,
      account_number: input.accountNumber,
      bank_code: input.bankCode,
      currency: input.currency,
    });
    return { recipientCode: data.recipient_code };
  }

  async transfer(input: {
    reference: string;
    amount: number;
    currency: string;
    recipient: string;
    reason: string;
  }): Promise<TransferResult> {
    const data = await this.call<{ status: string; transfer_code: string; reference: string }>("POST", "/transfer", {
      source: "balance",
      amount: input.amount,
      currency: input.currency,
      recipient: input.recipient,
      reference: input.reference,
      reason: input.reason,
    });
    const status =
      data.status === "success"
        ? "success"
        : data.status === "failed" || data.status === "reversed"
          ? "failed"
          : "pending";
    return { reference: data.reference ?? input.reference, status, transferCode: data.transfer_code ?? null };
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetcher(`${this.options.baseUrl.replace(/\/+$/, "")}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.secretKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new ProviderError(`Paystack unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    let answer: PaystackAnswer<T> | null = null;
    try {
      answer = (await res.json()) as PaystackAnswer<T>;
    } catch {
      answer = null;
    }
    if (!res.ok || !answer || answer.status !== true) {
      throw new ProviderError(
        `Paystack ${method} ${path.split("/")[1]} failed (${res.status}): ${answer?.message ?? "no JSON answer"}`,
        res.status,
      );
    }
    return answer.data;
  }
}

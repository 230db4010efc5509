// The local test provider (development and tests only): behaves like Paystack from the escrow's point of view
// and keeps its "bank" in R2 under test-payments/. Its charges succeed when someone calls the dev endpoint
// (POST /dev/payments/:reference/succeed), which delivers a correctly signed charge.success to our webhook;
// transfers are refused twice under one reference, as Paystack does.
import type { Bindings } from "../../env";
import { randomToken } from "../ids";
import { paystackSignature } from "./signature";
import {
  ProviderError,
  type ChargeInit,
  type PaymentProvider,
  type TransferInit,
  type TransferResult,
} from "./provider";

const PREFIX = "test-payments";

export interface TestCharge extends ChargeInit {
  id: number;
  status: "pending" | "success" | "refunded";
}

export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test" as const;

  constructor(private readonly env: Pick<Bindings, "DOCUMENTS" | "PUBLIC_BASE_URL">) {}

  async initialize(input: ChargeInit) {
    const charge: TestCharge = { ...input, id: Date.now(), status: "pending" };
    await this.env.DOCUMENTS.put(`${PREFIX}/charges/${input.reference}.json`, JSON.stringify(charge));
    return {
      authorizationUrl: `${this.env.PUBLIC_BASE_URL}/api/v1/dev/payments/${input.reference}/succeed`,
      reference: input.reference,
    };
  }

  async charge(reference: string): Promise<TestCharge | null> {
    const obj = await this.env.DOCUMENTS.get(`${PREFIX}/charges/${reference}.json`);
    return obj ? ((await obj.json()) as TestCharge) : null;
  }

  async markCharge(reference: string, status: TestCharge["status"]): Promise<void> {
    const charge = await this.charge(reference);
    if (!charge) throw new ProviderError("no such charge", 404);
    await this.env.DOCUMENTS.put(`${PREFIX}/charges/${reference}.json`, JSON.stringify({ ...charge, status }));
  }

  async verify(reference: string) {
    const charge = await this.charge(reference);
    if (!charge) throw new ProviderError("no such charge", 404);
    return {
      reference,
      status: charge.status === "pending" ? ("pending" as const) : ("success" as const),
      amount: charge.amount,
      currency: charge.currency,
    };
  }

  async refund(input: { reference: string; amount: number }) {
    await this.markCharge(input.reference, "refunded");
    return { status: "processed" };
  }

  async createRecipient(input: { name: string; accountNumber: string; bankCode: string; currency: string }) {
    // Random, like Paystack's codes: a recipient code must not carry the account number we never store.
    return { recipientCode: `RCP_test_${randomToken(16)}` };
  }

  /** Pays once per reference: a second call with the same reference is refused like Paystack's duplicate check. */
  async transfer(input: TransferInit): Promise<TransferResult> {
    const stored = await this.env.DOCUMENTS.put(`${PREFIX}/transfers/${input.reference}.json`, JSON.stringify(input), {
      onlyIf: { etagDoesNotMatch: "*" },
    });
    if (stored === null) throw new ProviderError("Transfer reference already used", 400);
    return { reference: input.reference, status: "success", transferCode: `TRF_test_${input.reference}` };
  }

  /** Every transfer the test bank made (tests count payouts with it). */
  async transfers(): Promise<TransferInit[]> {
    const list = await this.env.DOCUMENTS.list({ prefix: `${PREFIX}/transfers/` });
    return Promise.all(
      list.objects.map(async (o) => (await (await this.env.DOCUMENTS.get(o.key))!.json()) as TransferInit),
    );
  }
}

/**
 * The test provider's "customer paid": builds the charge.success Paystack would send, signs it with the secret key
 * exactly as Paystack does, and hands it to our webhook processing. Null when the reference is unknown.
 */
export async function deliverTestChargeSuccess(
  env: Bindings,
  reference: string,
  deliver: (rawBody: string, signature: string) => Promise<string>,
): Promise<{ reference: string; outcome: string } | null> {
  const provider = new TestPaymentProvider(env);
  const charge = await provider.charge(reference);
  if (!charge) return null;
  await provider.markCharge(reference, "success");
  const body = JSON.stringify({
    event: "charge.success",
    data: {
      id: charge.id,
      status: "success",
      reference,
      amount: charge.amount,
      currency: charge.currency,
      customer: { email: charge.email },
      metadata: charge.metadata,
      paid_at: new Date().toISOString(),
    },
  });
  return { reference, outcome: await deliver(body, paystackSignature(env.PAYSTACK_SECRET_KEY, body)) };
}

// The payment provider interface escrows use (charge, verify, refund, payout), the references we issue, and
// the provider configured for this deployment. Implementations: paystack.ts (HTTP API), test-provider.ts (local).
import type { Bindings } from "../../env";
import { randomToken } from "../ids";

export interface ChargeInit {
  reference: string;
  email: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
}

export interface ChargeStatus {
  reference: string;
  status: "success" | "failed" | "abandoned" | "pending";
  amount: number;
  currency: string;
}

export interface TransferInit {
  /** Ours and stable across retries: the provider refuses a second transfer with the same reference. */
  reference: string;
  amount: number;
  currency: string;
  recipient: string;
  reason: string;
}

export interface TransferResult {
  reference: string;
  /** success: paid now; pending: the outcome arrives by webhook (transfer.success|failed|reversed). */
  status: "success" | "pending" | "failed";
  transferCode: string | null;
}

export interface PaymentProvider {
  readonly name: "paystack" | "test";
  initialize(input: ChargeInit): Promise<{ authorizationUrl: string; reference: string }>;
  verify(reference: string): Promise<ChargeStatus>;
  refund(input: { reference: string; amount: number }): Promise<{ status: string }>;
  createRecipient(input: {
    name: string;
    accountNumber: string;
    bankCode: string;
    currency: string;
  }): Promise<{ recipientCode: string }>;
  transfer(input: TransferInit): Promise<TransferResult>;
}

/** Thrown for any provider failure (network, non-2xx, `status: false`); routes map it to PROC001. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

const ESCROW_ID = /^esc_([0-9A-Za-z]{20})$/;

/**
 * A charge reference for an escrow: `esc-<id part>-<random>` (Paystack allows only letters, digits, -, . and =),
 * so a webhook names its escrow without a lookup; a new one per checkout attempt.
 */
export function chargeReference(escrowId: string): string {
  const m = ESCROW_ID.exec(escrowId);
  if (!m) throw new Error("not an escrow id");
  return `esc-${m[1]}-${randomToken(10)}`;
}

/**
 * The payout reference of an escrow's transfer attempt: lowercase (Paystack's rule for transfers) and derived, so
 * retries of one attempt reuse it (the provider refuses a second transfer under it); a new attempt after a failed
 * or reversed payout (generation n ≥ 1) gets a new one, `po-<hex>-<n>`.
 */
export function payoutReference(escrowId: string, generation = 0): string {
  const m = ESCROW_ID.exec(escrowId);
  if (!m) throw new Error("not an escrow id");
  const base = `po-${[...m[1]!].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, "0")).join("")}`;
  return generation > 0 ? `${base}-${generation}` : base;
}

/** The escrow a charge or payout reference belongs to, or null for a reference we did not issue. */
export function escrowIdOfReference(reference: string): string | null {
  const charge = /^esc-([0-9A-Za-z]{20})-[0-9A-Za-z]{10}$/.exec(reference);
  if (charge) return `esc_${charge[1]}`;
  const payout = /^po-((?:[0-9a-f]{2}){20})(?:-[1-9][0-9]{0,5})?$/.exec(reference);
  if (payout) {
    const id = payout[1]!
      .match(/../g)!
      .map((h) => String.fromCharCode(parseInt(h, 16)))
      .join("");
    return /^[0-9A-Za-z]{20}$/.test(id) ? `esc_${id}` : null;
  }
  return null;
}

// Refunding a payment that funded nothing (an unmatched charge): asked automatically when the charge arrives
// (EVENTS consumer of escrow.payment_unmatched; JOBS payment.refund_unmatched for a reference that names no escrow of
// ours) and again by an admin (POST /admin/payments/:id/refund). An escrow's room records each step of its charges;
// a charge without an escrow moves along the same CHARGE_FLOW in its D1 row. The provider refunds a transaction
// once, so asking twice never pays twice.
import type { Bindings } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { providerNamed } from "../../lib/payments";
import { ProviderError } from "../../lib/payments/provider";
import { classifyRefusal } from "../../lib/payments/refusals";
import { log } from "../../lib/request-context";
import type { ChargeRecord, UnmatchedReason } from "../../domain/escrow-machine";
import { db } from "../../db/client";
import { findUnknownCharge, moveUnknownCharge, type UnmatchedPaymentRow } from "../../db/escrows";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export interface RefundUnmatchedInput {
  /** null: a charge for a reference that names no escrow of ours (reason unknown_reference) */
  escrowId: string | null;
  reference: string;
  /** true (admin): a provider refusal is answered as PAY001/PROC001; false (consumer): recorded only. */
  answerRefusal: boolean;
}

/**
 * Asks the provider to refund the unmatched charge `reference` (of `escrowId`, or of no escrow) in full; answers the
 * charge as recorded (refund_pending until the provider's refund.processed, refunded, or refund_failed).
 * @throws RES001 no such unmatched charge; RES002 already refunded; PROC001 (retry) when the provider is
 *   unavailable — the consumer's queue retries it; PAY001 when refused and answerRefusal
 */
export async function refundUnmatchedPayment(env: Bindings, input: RefundUnmatchedInput): Promise<ChargeRecord> {
  if (input.escrowId === null) return refundUnknownCharge(env, input);
  const room = escrowRoom(env, input.escrowId);
  const charge = unwrap(await room.retryChargeRefund(input.reference));
  const escrow = await room.get();
  if (!escrow) throw fail.notFound("Payment");
  const { succeeded, error } = await askRefund(env, escrow.payment.provider, charge, input);
  if (succeeded !== null) unwrap(await room.refundSettled(charge.reference, succeeded, error));
  const after = (await room.get())!.charges.find((c) => c.reference === charge.reference)!;
  if (succeeded === false && input.answerRefusal)
    throw new ApiError("PAY001", error ?? "The payment provider refused the refund");
  return after;
}

/** The same steps for a charge that names no escrow: its D1 row is its only record. */
async function refundUnknownCharge(env: Bindings, input: RefundUnmatchedInput): Promise<ChargeRecord> {
  const database = db(env.DB);
  const found = await findUnknownCharge(database, input.reference);
  if (!found) throw fail.notFound("Payment");
  if (found.state === "refunded") throw fail.conflict("This payment was already refunded");
  const now = () => new Date().toISOString();
  const row =
    found.state === "refund_failed"
      ? ((await moveUnknownCharge(database, input.reference, "refund_pending", null, now())) ?? found)
      : found;
  const { succeeded, error } = await askRefund(env, row.provider, chargeOfRow(row), { ...input, escrowId: null });
  const after =
    succeeded === null
      ? row
      : ((await moveUnknownCharge(database, input.reference, succeeded ? "refunded" : "refund_failed", error, now())) ??
        (await findUnknownCharge(database, input.reference))!);
  if (succeeded === false && input.answerRefusal)
    throw new ApiError("PAY001", error ?? "The payment provider refused the refund");
  return chargeOfRow(after);
}

/**
 * One refund request to the provider and what its answer means.
 * @returns succeeded true (refunded, or already refunded), false (refused, with the reason), null (pending: the
 *   provider confirms later by refund.processed / refund.failed)
 * @throws ApiError PROC001 when the provider is unavailable or misconfigured (retry later)
 */
async function askRefund(
  env: Bindings,
  providerName: string,
  charge: Pick<ChargeRecord, "reference" | "amount">,
  input: RefundUnmatchedInput,
): Promise<{ succeeded: boolean | null; error: string | null }> {
  const provider = providerNamed(env, providerName);
  try {
    const { status } = await provider.refund({ reference: charge.reference, amount: charge.amount });
    // Paystack answers pending/processing and confirms later (refund.processed); the test provider at once.
    return { succeeded: status === "processed" ? true : null, error: null };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    const refusal = classifyRefusal("refund", err);
    log("warn", "refund of an unmatched payment failed", {
      escrowId: input.escrowId,
      reference: input.reference,
      kind: refusal.kind,
      error: err.message,
    });
    if (refusal.kind === "retry" || refusal.kind === "misconfigured") throw new ApiError("PROC001", refusal.message);
    if (refusal.kind === "done") return { succeeded: true, error: null };
    return { succeeded: false, error: refusal.message };
  }
}

function chargeOfRow(row: UnmatchedPaymentRow): ChargeRecord {
  return {
    id: row.id,
    reference: row.reference,
    amount: row.amount,
    currency: row.currency,
    status: row.state as ChargeRecord["status"],
    reason: row.reason as UnmatchedReason,
    lastError: row.lastError,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    refundedAt: row.refundedAt,
  };
}

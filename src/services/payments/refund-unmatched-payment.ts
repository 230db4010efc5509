// Refunding a payment that funded nothing (an unmatched charge): asked automatically when the charge arrives
// (EVENTS consumer of escrow.payment_unmatched) and again by an admin (POST /admin/payments/:id/refund). The
// escrow's room records each step; the provider refunds a transaction once, so asking twice never pays twice.
import type { Bindings } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { providerNamed } from "../../lib/payments";
import { ProviderError } from "../../lib/payments/provider";
import { classifyRefusal } from "../../lib/payments/refusals";
import { log } from "../../lib/request-context";
import type { ChargeRecord } from "../../domain/escrow-machine";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export interface RefundUnmatchedInput {
  escrowId: string;
  reference: string;
  /** true (admin): a provider refusal is answered as PAY001/PROC001; false (consumer): recorded only. */
  answerRefusal: boolean;
}

/**
 * Asks the provider to refund the unmatched charge `reference` of `escrowId` in full; answers the charge as the
 * room recorded it (refund_pending until the provider's refund.processed, refunded, or refund_failed).
 * @throws RES001 no such unmatched charge; RES002 already refunded; PROC001 (retry) when the provider is
 *   unavailable — the consumer's queue retries it; PAY001 when refused and answerRefusal
 */
export async function refundUnmatchedPayment(env: Bindings, input: RefundUnmatchedInput): Promise<ChargeRecord> {
  const room = escrowRoom(env, input.escrowId);
  const charge = unwrap(await room.retryChargeRefund(input.reference));
  const escrow = await room.get();
  if (!escrow) throw fail.notFound("Payment");
  const provider = providerNamed(env, escrow.payment.provider);
  let succeeded: boolean | null = null;
  let error: string | null = null;
  try {
    const { status } = await provider.refund({ reference: charge.reference, amount: charge.amount });
    // Paystack answers pending/processing and confirms later (refund.processed); the test provider at once.
    if (status === "processed") succeeded = true;
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
    if (refusal.kind === "done") succeeded = true;
    else {
      succeeded = false;
      error = refusal.message;
    }
  }
  if (succeeded !== null) unwrap(await room.refundSettled(charge.reference, succeeded, error));
  const after = (await room.get())!.charges.find((c) => c.reference === charge.reference)!;
  if (succeeded === false && input.answerRefusal)
    throw new ApiError("PAY001", error ?? "The payment provider refused the refund");
  return after;
}

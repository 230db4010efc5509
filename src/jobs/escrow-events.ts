// EVENTS consumer of the escrow module: the escrow contract becoming active moves its escrow to contract_signed;
// a completed escrow queues its payout; a refunded one asks the provider for the refund; a payment that funded
// nothing is refunded; an escrow ended unfunded withdraws its generated contract; a failed or reversed payout asks
// the seller to fix their payout account and queues a retry.
import { eq } from "drizzle-orm";
import type { Bindings } from "../env";
import type { DomainEvent } from "../domain/events";
import { db } from "../db/client";
import { escrows } from "../db/schema/escrows";
import { providerNamed } from "../lib/payments";
import { log } from "../lib/request-context";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { enqueuePayout, payoutFollowUp } from "./escrow-payout";
import { ApiError } from "../lib/errors";
import { ProviderError } from "../lib/payments/provider";
import { classifyRefusal } from "../lib/payments/refusals";
import { refundUnmatchedPayment } from "../services/payments/refund-unmatched-payment";
import { withdrawEscrowContract } from "../services/escrows/withdraw-escrow-contract";
import type { EventConsumer } from "./types";

async function onContractActivated(env: Bindings, contractId: string) {
  const rows = await db(env.DB)
    .select({ id: escrows.id })
    .from(escrows)
    .where(eq(escrows.contractId, contractId))
    .all();
  for (const { id } of rows) {
    const result = await escrowRoom(env, id).contractActivated();
    // RES002: the escrow has moved on (disputed, refunded…); the signature no longer changes its state.
    if (!result.ok && result.error.code !== "RES002") unwrap(result);
  }
}

async function onRefunded(env: Bindings, escrowId: string) {
  const escrow = await escrowRoom(env, escrowId).get();
  if (!escrow || escrow.payment.status !== "refund_pending" || !escrow.payment.reference) return;
  const reference = escrow.payment.reference;
  const provider = providerNamed(env, escrow.payment.provider);
  let settled: { succeeded: boolean; error: string | null } | null = null;
  try {
    // Paystack refunds a transaction once; a redelivered event gets "already refunded" (done), not a second refund.
    const { status } = await provider.refund({ reference, amount: escrow.amount });
    log("info", "escrow refund requested", { escrowId, status });
    if (status === "processed") settled = { succeeded: true, error: null };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    const refusal = classifyRefusal("refund", err);
    if (refusal.kind === "retry" || refusal.kind === "misconfigured") throw err; // the queue retries
    settled = refusal.kind === "done" ? { succeeded: true, error: null } : { succeeded: false, error: refusal.message };
  }
  if (settled) unwrap(await escrowRoom(env, escrowId).refundSettled(reference, settled.succeeded, settled.error));
}

/** The automatic refund of a charge that funded nothing (RES002: refunded already by an earlier delivery). */
async function onPaymentUnmatched(env: Bindings, escrowId: string, reference: string) {
  try {
    await refundUnmatchedPayment(env, { escrowId, reference, answerRefusal: false });
  } catch (err) {
    if (err instanceof ApiError && (err.code === "RES002" || err.code === "RES001")) return;
    throw err;
  }
}

export const escrowEventsConsumer: EventConsumer = {
  name: "escrow-events",
  async consume(event: DomainEvent, env) {
    const data = event.data as { contractId?: string; escrowId?: string; reference?: unknown };
    if (event.type === "contract.activated" && data.contractId) return onContractActivated(env, data.contractId);
    if (event.type === "escrow.completed" && data.escrowId) {
      await enqueuePayout(env, data.escrowId);
      return;
    }
    if (event.type === "escrow.refunded" && data.escrowId) {
      return onRefunded(env, data.escrowId);
    }
    if (event.type === "escrow.payment_unmatched" && data.escrowId && typeof data.reference === "string") {
      return onPaymentUnmatched(env, data.escrowId, data.reference);
    }
    if (event.type === "escrow.payout_failed" && data.escrowId) return payoutFollowUp(env, data.escrowId);
    if (event.type === "escrow.cancelled" && data.escrowId)
      return withdrawEscrowContract(env, data.escrowId, "cancelled");
    if (event.type === "escrow.expired" && data.escrowId) return withdrawEscrowContract(env, data.escrowId, "expired");
  },
};

// EVENTS consumer of the escrow module: the escrow contract becoming active moves its escrow to contract_signed;
// a completed escrow queues its payout; a refunded one asks the provider for the refund.
import { eq } from "drizzle-orm";
import type { Bindings } from "../env";
import type { DomainEvent } from "../domain/events";
import { db } from "../db/client";
import { escrows } from "../db/schema/escrows";
import { providerNamed } from "../lib/payments";
import { log } from "../lib/request-context";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { enqueuePayout } from "./escrow-payout";
import type { EventConsumer } from "./types";

async function onContractActivated(env: Bindings, contractId: string) {
  const rows = await db(env.DB).select({ id: escrows.id }).from(escrows).where(eq(escrows.contractId, contractId)).all();
  for (const { id } of rows) {
    const result = await escrowRoom(env, id).contractActivated();
    // RES002: the escrow has moved on (disputed, refunded…); the signature no longer changes its state.
    if (!result.ok && result.error.code !== "RES002") unwrap(result);
  }
}

async function onRefunded(env: Bindings, escrowId: string) {
  const escrow = await escrowRoom(env, escrowId).get();
  if (!escrow || escrow.payment.status !== "refund_pending" || !escrow.payment.reference) return;
  const provider = providerNamed(env, escrow.payment.provider);
  // Paystack refunds a transaction once; a redelivered event gets an error we log, not a second refund.
  const { status } = await provider.refund({ reference: escrow.payment.reference, amount: escrow.amount });
  log("info", "escrow refund requested", { escrowId, status });
  if (provider.name === "test") unwrap(await escrowRoom(env, escrowId).refundSettled(true));
}

export const escrowEventsConsumer: EventConsumer = {
  name: "escrow-events",
  async consume(event: DomainEvent, env) {
    const data = event.data as { contractId?: string; escrowId?: string };
    if (event.type === "contract.activated" && data.contractId) return onContractActivated(env, data.contractId);
    if (event.type === "escrow.completed" && data.escrowId) {
      await enqueuePayout(env, data.escrowId);
      return;
    }
    if (event.type === "escrow.refunded" && data.escrowId) {
      return onRefunded(env, data.escrowId);
    }
  },
};

// Processing of Paystack webhook events (shared by POST /webhooks/paystack and the test provider's dev trigger):
// verify the signature over the raw body, store each event once, and hand it to the escrow's room.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { recordPaymentEvent, setPaymentEventOutcome } from "../../db/escrows";
import { paymentEvents } from "../../db/schema/escrows";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import { ApiError } from "../errors";
import { sha256Hex } from "../crypto";
import { log } from "../request-context";
import { escrowIdOfReference } from "./provider";
import { verifyPaystackSignature } from "./signature";
import { eq } from "drizzle-orm";

interface PaystackEvent {
  event: string;
  data: { id?: number | string; reference?: string; transaction_reference?: string; amount?: number; currency?: string; reason?: string; status?: string; [k: string]: unknown };
}

export type WebhookOutcome = "funded" | "flagged" | "ignored" | "replay" | "payout_sent" | "payout_failed" | "payout_reversed" | "refund_processed" | "refund_failed";

/** Throws AUTH004 (401) for a bad signature; answers the outcome otherwise (a replay is a no-op). */
export async function processPaystackWebhook(env: Bindings, rawBody: string, signature: string | null): Promise<WebhookOutcome> {
  if (!verifyPaystackSignature(env.PAYSTACK_SECRET_KEY, rawBody, signature)) {
    log("warn", "paystack webhook with a bad signature refused", { hasSignature: signature !== null, bytes: rawBody.length });
    throw new ApiError("AUTH004", "Invalid webhook signature");
  }
  let event: PaystackEvent;
  try {
    event = JSON.parse(rawBody) as PaystackEvent;
    if (typeof event.event !== "string" || typeof event.data !== "object" || event.data === null) throw new Error("shape");
  } catch {
    throw new ApiError("VAL001", "Webhook body is not a Paystack event");
  }
  const reference = event.data.reference ?? event.data.transaction_reference ?? null;
  const escrowId = reference ? escrowIdOfReference(reference) : null;
  // Paystack events carry the object's id, not an event id: the key is the event type and that id, or a digest.
  const key = event.data.id !== undefined ? `${event.event}:${event.data.id}` : `${event.event}:sha256:${sha256Hex(rawBody)}`;
  const id = `paystack:${key}`;
  const database = db(env.DB);
  const fresh = await recordPaymentEvent(database, { id, provider: "paystack", type: event.event, reference, escrowId, outcome: "processing" });
  if (!fresh) return "replay";
  try {
    const outcome = escrowId ? await apply(env, escrowId, event) : "ignored";
    await setPaymentEventOutcome(database, id, outcome);
    return outcome;
  } catch (err) {
    // Not processed: forget it so Paystack's retry of this very event is handled, not taken for a replay.
    await database.delete(paymentEvents).where(eq(paymentEvents.id, id));
    throw err;
  }
}

async function apply(env: Bindings, escrowId: string, event: PaystackEvent): Promise<WebhookOutcome> {
  const room = escrowRoom(env, escrowId);
  const d = event.data;
  const result = await (async () => {
    switch (event.event) {
      case "charge.success":
        if (typeof d.amount !== "number" || typeof d.currency !== "string" || !d.reference) return null;
        return room.paymentReceived({ reference: d.reference, amount: d.amount, currency: d.currency });
      case "transfer.success":
        return mapOk(await room.payoutSettled("sent", null), "payout_sent" as const);
      case "transfer.failed":
        return mapOk(await room.payoutSettled("failed", d.reason ?? "transfer failed"), "payout_failed" as const);
      case "transfer.reversed":
        return mapOk(await room.payoutSettled("reversed", d.reason ?? "transfer reversed"), "payout_reversed" as const);
      case "refund.processed":
        return mapOk(await room.refundSettled(true), "refund_processed" as const);
      case "refund.failed":
        return mapOk(await room.refundSettled(false), "refund_failed" as const);
      default:
        // refund.pending / refund.processing and other types: nothing to change.
        return null;
    }
  })();
  if (!result) return "ignored";
  if (!result.ok) {
    // E.g. a transfer event for an escrow that is not completed: recorded, not applied.
    log("warn", "paystack event not applicable", { type: event.event, escrowId, code: result.error.code });
    return "ignored";
  }
  return result.value;
}

function mapOk<T, O>(r: { ok: true; value: T } | { ok: false; error: { code: string } }, outcome: O) {
  return r.ok ? { ok: true as const, value: outcome } : r;
}

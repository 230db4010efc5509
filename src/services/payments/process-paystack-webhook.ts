// Processing of Paystack webhook events (shared by POST /webhooks/paystack and the test provider's dev trigger):
// verify the signature over the raw body, log each event once, and hand it to the escrow's room, which applies
// it through the payment state machine (domain/payment-machine.ts).
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { moveUnknownCharge, recordPaymentEvent, setPaymentEventOutcome } from "../../db/escrows";
import { recordUnknownCharge } from "./record-unknown-charge";
import { escrowRoom, type ProviderOutcome } from "../../../durable-objects/escrow-room";
import { ApiError } from "../../lib/errors";
import { sha256Hex } from "../../lib/crypto";
import { log } from "../../lib/request-context";
import { escrowIdOfReference } from "../../lib/payments/provider";
import { verifyPaystackSignature } from "../../lib/payments/signature";

interface PaystackEvent {
  event: string;
  data: {
    id?: number | string;
    reference?: string;
    transaction_reference?: string;
    amount?: number;
    currency?: string;
    reason?: string;
    status?: string;
    [k: string]: unknown;
  };
}

export type WebhookOutcome = ProviderOutcome | "replay";

/**
 * Throws AUTH004 (401) for a bad signature; answers the outcome otherwise (a replay is a no-op).
 *
 * Fault rule: anything that fails (D1, the room, the queue) fails the request, so Paystack retries the event (it
 * retries non-2xx answers); nothing is acknowledged before the room has applied it. The stored payment event is
 * only a log: an attempt that failed midway leaves it "processing" and the retry processes it again, and the
 * room applies each charge reference once and money states only forward, so the retry neither loses the charge
 * nor applies it twice.
 */
export async function processPaystackWebhook(
  env: Bindings,
  rawBody: string,
  signature: string | null,
): Promise<WebhookOutcome> {
  if (!verifyPaystackSignature(env.PAYSTACK_SECRET_KEY, rawBody, signature)) {
    log("warn", "paystack webhook with a bad signature refused", {
      hasSignature: signature !== null,
      bytes: rawBody.length,
    });
    throw new ApiError("AUTH004", "Invalid webhook signature");
  }
  let event: PaystackEvent;
  try {
    event = JSON.parse(rawBody) as PaystackEvent;
    if (typeof event.event !== "string" || typeof event.data !== "object" || event.data === null)
      throw new Error("shape");
  } catch {
    throw new ApiError("VAL001", "Webhook body is not a Paystack event");
  }
  const reference = referenceOf(event);
  const escrowId = reference ? escrowIdOfReference(reference) : null;
  // Paystack events carry the object's id, not an event id: the key is the event type and that id, or a digest.
  const key =
    event.data.id !== undefined ? `${event.event}:${event.data.id}` : `${event.event}:sha256:${sha256Hex(rawBody)}`;
  const id = `paystack:${key}`;
  const database = db(env.DB);
  const pending = await recordPaymentEvent(database, {
    id,
    provider: "paystack",
    type: event.event,
    reference,
    escrowId,
    outcome: "processing",
  });
  if (!pending) return "replay";
  const applied = escrowId && reference ? await apply(env, escrowId, reference, event) : NO_ESCROW;
  const outcome = applied === NO_ESCROW ? await applyWithoutEscrow(env, reference, event) : applied;
  await setPaymentEventOutcome(database, id, outcome);
  return outcome;
}

/** The transaction or transfer reference an event is about (refund events name the refunded transaction). */
function referenceOf(event: PaystackEvent): string | null {
  const d = event.data;
  const ref = event.event.startsWith("refund.")
    ? (d.transaction_reference ?? d.reference)
    : (d.reference ?? d.transaction_reference);
  return typeof ref === "string" && ref.length > 0 && ref.length <= 200 ? ref : null;
}

/** apply()'s answer when the reference names no escrow that exists. */
const NO_ESCROW = "no_escrow" as const;

/**
 * An event whose reference names no escrow that exists. A charge under a reference of our shape (`esc-…`, issued by
 * us for an escrow that is gone or never was) is money we must give back: recorded as an unmatched payment and
 * refunded (services/payments/record-unknown-charge.ts). A charge under any other reference is not ours to touch:
 * Paystack sends every event of the merchant account to this one URL, so payment pages, invoices, subscriptions or
 * another integration on the same account arrive here too — it is logged and left alone. A refund's outcome moves
 * our record forward.
 */
async function applyWithoutEscrow(env: Bindings, reference: string | null, event: PaystackEvent) {
  const d = event.data;
  if (!reference) return "ignored" as const;
  if (event.event === "charge.success") {
    if (escrowIdOfReference(reference) === null) {
      log("info", "payment event for a reference another integration issued; left alone", { reference });
      return "ignored" as const;
    }
    if (typeof d.amount !== "number" || !Number.isSafeInteger(d.amount) || d.amount <= 0) return "ignored" as const;
    if (typeof d.currency !== "string" || !/^[A-Z]{3}$/.test(d.currency)) return "ignored" as const;
    await recordUnknownCharge(env, { reference, amount: d.amount, currency: d.currency });
    return "unmatched" as const;
  }
  if (event.event === "refund.processed" || event.event === "refund.failed") {
    const succeeded = event.event === "refund.processed";
    const reason = typeof d.reason === "string" ? d.reason.slice(0, 500) : "refund failed";
    const moved = await moveUnknownCharge(
      db(env.DB),
      reference,
      succeeded ? "refunded" : "refund_failed",
      succeeded ? null : reason,
      new Date().toISOString(),
    );
    if (moved) return succeeded ? ("refund_processed" as const) : ("refund_failed" as const);
  }
  return "ignored" as const;
}

async function apply(
  env: Bindings,
  escrowId: string,
  reference: string,
  event: PaystackEvent,
): Promise<WebhookOutcome | typeof NO_ESCROW> {
  const room = escrowRoom(env, escrowId);
  const d = event.data;
  const reason = typeof d.reason === "string" ? d.reason.slice(0, 500) : null;
  const result = await (async () => {
    switch (event.event) {
      case "charge.success":
        if (typeof d.amount !== "number" || !Number.isSafeInteger(d.amount) || typeof d.currency !== "string")
          return null;
        return room.paymentReceived({ reference, amount: d.amount, currency: d.currency });
      case "transfer.success":
        return room.payoutSettled(reference, "sent", null);
      case "transfer.failed":
        return room.payoutSettled(reference, "failed", reason ?? "transfer failed");
      case "transfer.reversed":
        return room.payoutSettled(reference, "reversed", reason ?? "transfer reversed");
      case "refund.processed":
        return room.refundSettled(reference, true);
      case "refund.failed":
        return room.refundSettled(reference, false, reason ?? "refund failed");
      default:
        // refund.pending / refund.processing and other types: nothing to change.
        return null;
    }
  })();
  if (!result) return "ignored";
  if (!result.ok) {
    // A reference shaped like ours for an escrow that does not exist: handled as one we never issued.
    if (result.error.code === "RES001") return NO_ESCROW;
    log("warn", "paystack event not applicable", { type: event.event, escrowId, code: result.error.code });
    return "ignored";
  }
  if (result.value === "unmatched")
    log("warn", "payment did not fund its escrow; refunding it", { escrowId, reference });
  return result.value;
}

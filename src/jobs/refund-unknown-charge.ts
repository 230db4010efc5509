// Job payment.refund_unmatched: the automatic refund of a charge whose reference names no escrow of ours (recorded by
// services/payments/record-unknown-charge.ts). PROC001 (provider unavailable) throws, so the queue retries it;
// RES001/RES002 (gone, or refunded by an earlier delivery) end it; a refusal is recorded as refund_failed and listed.
import type { JobHandler } from "./types";
import { ApiError } from "../lib/errors";
import { log } from "../lib/request-context";
import { refundUnmatchedPayment } from "../services/payments/refund-unmatched-payment";

export const REFUND_UNKNOWN_CHARGE_JOB = "payment.refund_unmatched";

export const refundUnknownChargeJob: JobHandler = async (message, env) => {
  const reference = message.payload.reference;
  if (typeof reference !== "string" || reference.length === 0) {
    log("error", "payment.refund_unmatched with a malformed payload", { messageId: message.id });
    return; // retrying cannot fix it
  }
  try {
    await refundUnmatchedPayment(env, { escrowId: null, reference, answerRefusal: false });
  } catch (err) {
    if (err instanceof ApiError && (err.code === "RES001" || err.code === "RES002")) return;
    throw err;
  }
};

// Provider events applied to an escrow (pure): charges, refunds and transfers move money states forward only
// (escrow-machine PAYMENT_FLOW / PAYOUT_FLOW / CHARGE_FLOW). A charge that cannot fund its escrow becomes an
// unmatched payment to refund; a late, repeated or out-of-order event is a timeline note, never a change.
import { fail } from "../lib/errors";
import {
  advances,
  CHARGE_FLOW,
  fund,
  payoutSettled,
  refundSettled,
  type ChargeRecord,
  type EscrowState,
  type Transition,
  type UnmatchedReason,
} from "./escrow-machine";

/** What a provider event did to the escrow (answered to the webhook and stored on its payment event). */
export type ProviderOutcome =
  | "funded"
  | "unmatched"
  | "payout_sent"
  | "payout_failed"
  | "payout_reversed"
  | "refund_processed"
  | "refund_failed"
  /** Recorded on the timeline, not applied (late, repeated, out of order, or not for this escrow's state). */
  | "ignored";

export interface Applied {
  transition: Transition;
  outcome: ProviderOutcome;
}

/** The timeline entry of a provider event that was recorded and not applied. */
export const NOT_APPLIED = "escrow.provider_event_not_applied";

function notApplied(s: EscrowState, event: string, reference: string | null, why: string): Applied {
  return {
    transition: {
      state: s,
      events: [],
      notes: [{ type: NOT_APPLIED, data: { escrowId: s.id, status: s.status, event, reference, why } }],
    },
    outcome: "ignored",
  };
}

/** Why a successful charge cannot fund this escrow now; null when it funds it. */
export function unmatchedReason(s: EscrowState, paid: { amount: number; currency: string }): UnmatchedReason | null {
  if (s.status === "cancelled") return "escrow_cancelled";
  if (s.status === "expired") return "escrow_expired";
  if (s.status === "refunded" || s.status === "completed") return s.fundedAt ? "already_funded" : "escrow_closed";
  if (s.status !== "pending") return "already_funded";
  if (paid.currency !== s.currency) return "currency_mismatch";
  if (paid.amount !== s.amount) return "amount_mismatch";
  return null;
}

/**
 * A verified charge.success for a reference naming this escrow. Each reference is applied once (a repeat answers
 * the recorded outcome and changes nothing). It funds a pending escrow when amount and currency match exactly;
 * otherwise it is recorded as an unmatched payment (`escrow.payment_unmatched`) whose refund follows.
 * @param paid amount in integer minor units and ISO 4217 currency, as the provider reported them
 * @param chargeId the `pay_…` id to give the charge if it is new
 */
export function receiveCharge(
  s: EscrowState,
  paid: { reference: string; amount: number; currency: string },
  chargeId: string,
  now: string,
): Applied {
  const known = s.charges.find((c) => c.reference === paid.reference);
  if (known) {
    return { transition: { state: s, events: [] }, outcome: known.status === "funded" ? "funded" : "unmatched" };
  }
  const reason = unmatchedReason(s, paid);
  const charge: ChargeRecord = {
    id: chargeId,
    reference: paid.reference,
    amount: paid.amount,
    currency: paid.currency,
    status: reason ? "refund_pending" : "funded",
    reason,
    lastError: null,
    receivedAt: now,
    updatedAt: now,
    refundedAt: null,
  };
  if (!reason) {
    const funded = fund({ ...s, payment: { ...s.payment, reference: paid.reference } }, paid, now);
    return {
      transition: { ...funded, state: { ...funded.state, charges: [...s.charges, charge] } },
      outcome: "funded",
    };
  }
  return {
    transition: {
      state: { ...s, charges: [...s.charges, charge], updatedAt: now },
      events: ["escrow.payment_unmatched"],
      data: { paymentId: chargeId, reference: paid.reference, reason, amount: paid.amount, currency: paid.currency },
    },
    outcome: "unmatched",
  };
}

/** The unmatched charge `reference` of this escrow (RES001 when there is none). */
export function chargeOf(s: EscrowState, reference: string): ChargeRecord {
  const charge = s.charges.find((c) => c.reference === reference && c.status !== "funded");
  if (!charge) throw fail.notFound("Payment");
  return charge;
}

function withCharge(s: EscrowState, charge: ChargeRecord): EscrowState {
  return {
    ...s,
    charges: s.charges.map((c) => (c.reference === charge.reference ? charge : c)),
    updatedAt: charge.updatedAt,
  };
}

/**
 * An admin asks again for the refund of an unmatched charge: refund_failed → refund_pending (a pending one stays
 * pending and is simply asked again). RES002 once it is refunded.
 */
export function retryChargeRefund(s: EscrowState, reference: string, now: string): Transition {
  const charge = chargeOf(s, reference);
  if (charge.status === "refunded") throw fail.conflict("This payment was already refunded");
  if (charge.status === "refund_pending") return { state: s, events: [] };
  return {
    state: withCharge(s, { ...charge, status: "refund_pending", lastError: null, updatedAt: now }),
    events: [],
    notes: [
      {
        type: "escrow.payment_refund_retried",
        data: { escrowId: s.id, status: s.status, paymentId: charge.id, reference },
      },
    ],
  };
}

/**
 * The outcome of a refund, from the provider's answer or its refund.processed / refund.failed webhook, for the
 * transaction `reference`: an unmatched charge's refund, else the escrow's own refund. Forward only.
 */
export function applyRefund(
  s: EscrowState,
  reference: string,
  succeeded: boolean,
  error: string | null,
  now: string,
): Applied {
  const event = succeeded ? "refund.processed" : "refund.failed";
  const charge = s.charges.find((c) => c.reference === reference && c.status !== "funded");
  if (charge) {
    const to = succeeded ? "refunded" : "refund_failed";
    if (!advances(CHARGE_FLOW, charge.status, to))
      return notApplied(s, event, reference, `the payment is ${charge.status}`);
    const next = {
      ...charge,
      status: to,
      lastError: succeeded ? null : error,
      updatedAt: now,
      refundedAt: succeeded ? now : null,
    } as ChargeRecord;
    return {
      transition: {
        state: withCharge(s, next),
        events: [],
        notes: [
          {
            type: `escrow.payment_${to}`,
            data: { escrowId: s.id, status: s.status, paymentId: charge.id, reference, error },
          },
        ],
      },
      outcome: succeeded ? "refund_processed" : "refund_failed",
    };
  }
  if (s.status !== "refunded" || s.payment.reference !== reference) {
    return notApplied(s, event, reference, `no refund is pending for this reference (escrow ${s.status})`);
  }
  const next = refundSettled(s, succeeded, now);
  if (!next) return notApplied(s, event, reference, `the refund is already ${s.payment.status}`);
  return { transition: { state: next, events: [] }, outcome: succeeded ? "refund_processed" : "refund_failed" };
}

/**
 * A transfer outcome for `reference` (transfer.success / failed / reversed, or the provider's direct answer).
 * Applied only to the current payout attempt and only forward: an event for an earlier attempt's reference, a
 * repeat, or a late transfer.success after a reversal is a timeline note.
 */
export function applyTransfer(
  s: EscrowState,
  reference: string,
  outcome: "sent" | "failed" | "reversed",
  reason: string | null,
  now: string,
): Applied {
  const event = outcome === "sent" ? "transfer.success" : `transfer.${outcome}`;
  if (s.status !== "completed")
    return notApplied(s, event, reference, `no payout is due on an escrow that is ${s.status}`);
  if (s.payout.reference !== reference)
    return notApplied(s, event, reference, "not the current payout attempt's reference");
  const t = payoutSettled(s, outcome, reason, now);
  if (!t) return notApplied(s, event, reference, `the payout is already ${s.payout.status}`);
  return {
    transition: t,
    outcome: outcome === "sent" ? "payout_sent" : outcome === "failed" ? "payout_failed" : "payout_reversed",
  };
}

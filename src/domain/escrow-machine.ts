// The escrow state machine (pure): which action may move an escrow from which status, who may trigger it, and
// which events it emits. EscrowRoom applies these inside its storage transaction; nothing here does I/O.
import { ApiError, fail } from "../lib/errors";
import { ESCROW_STATUSES } from "./events";
import type { Currency, Split } from "./money";

export { ESCROW_STATUSES };
export type EscrowStatus = (typeof ESCROW_STATUSES)[number];
export type EscrowActor = "buyer" | "seller" | "admin" | "system";

export type EscrowAction =
  | "fund"
  | "contract_signed"
  | "deliver"
  | "reveal"
  | "confirm"
  | "auto_complete"
  | "dispute"
  | "release"
  | "refund";

export type EscrowEventType =
  | "escrow.created"
  | "escrow.funded"
  | "escrow.contract_signed"
  | "escrow.delivered"
  | "escrow.credentials_released"
  | "escrow.completed"
  | "escrow.disputed"
  | "escrow.released"
  | "escrow.refunded"
  | "escrow.payout_sent"
  | "escrow.payout_failed";

interface Rule {
  from: readonly EscrowStatus[];
  /** null: the status does not change (the action records something else, e.g. a delivery). */
  to: EscrowStatus | null;
  by: readonly EscrowActor[];
  emits: readonly EscrowEventType[];
}

/** The whole machine in one table; tests walk every (action, status, actor) against it. */
export const ESCROW_RULES: Record<EscrowAction, Rule> = {
  fund: { from: ["pending"], to: "funds_held", by: ["system"], emits: ["escrow.funded"] },
  contract_signed: { from: ["funds_held"], to: "contract_signed", by: ["system"], emits: ["escrow.contract_signed"] },
  deliver: { from: ["funds_held", "contract_signed"], to: null, by: ["seller"], emits: ["escrow.delivered"] },
  reveal: { from: ["contract_signed"], to: "credentials_released", by: ["buyer"], emits: ["escrow.credentials_released"] },
  confirm: { from: ["credentials_released"], to: "completed", by: ["buyer"], emits: ["escrow.completed"] },
  auto_complete: { from: ["credentials_released"], to: "completed", by: ["system"], emits: ["escrow.completed"] },
  dispute: {
    from: ["funds_held", "contract_signed", "credentials_released"],
    to: "disputed",
    by: ["buyer", "seller"],
    emits: ["escrow.disputed"],
  },
  release: { from: ["disputed"], to: "completed", by: ["admin"], emits: ["escrow.released", "escrow.completed"] },
  refund: { from: ["funds_held", "contract_signed", "disputed"], to: "refunded", by: ["admin"], emits: ["escrow.refunded"] },
};

export const TERMINAL_STATUSES: readonly EscrowStatus[] = ["completed", "refunded"];

export type PaymentStatus = "unpaid" | "initialized" | "succeeded" | "flagged" | "refund_pending" | "refunded" | "refund_failed";
export type PayoutStatus = "none" | "queued" | "sent" | "failed" | "reversed";

export interface EscrowState {
  id: string;
  status: EscrowStatus;
  buyerId: string;
  sellerId: string;
  listingId: string | null;
  contractId: string | null;
  amount: number;
  currency: Currency;
  commission: number;
  sellerPayout: number;
  description: string;
  inspectionPeriodHours: number;
  payment: { provider: string; reference: string | null; status: PaymentStatus; flagReason: string | null };
  payout: { status: PayoutStatus; reference: string | null; attempts: number; lastError: string | null };
  contractActivatedAt: string | null;
  deliveredAt: string | null;
  revealedAt: string | null;
  inspectionEndsAt: string | null;
  createdAt: string;
  updatedAt: string;
  fundedAt: string | null;
  contractSignedAt: string | null;
  releasedAt: string | null;
  completedAt: string | null;
  refundedAt: string | null;
  disputedAt: string | null;
  disputeReason: string | null;
}

export interface NewEscrow {
  id: string;
  buyerId: string;
  sellerId: string;
  listingId: string | null;
  contractId: string | null;
  currency: Currency;
  split: Split;
  description: string;
  inspectionPeriodHours: number;
  provider: string;
}

export interface Transition {
  state: EscrowState;
  events: EscrowEventType[];
}

/** Whether `actor` may take `action` on an escrow in `status` (no throw; for docs, UIs and tests). */
export function canTake(action: EscrowAction, status: EscrowStatus, actor: EscrowActor): boolean {
  const rule = ESCROW_RULES[action];
  return rule.from.includes(status) && rule.by.includes(actor);
}

/** Throws AUTH003 for the wrong actor (checked first: an outsider learns nothing of the state), RES002 for the wrong status. */
export function assertCanTake(action: EscrowAction, status: EscrowStatus, actor: EscrowActor): Rule {
  const rule = ESCROW_RULES[action];
  if (!rule.by.includes(actor)) throw fail.forbidden(`Only ${rule.by.join(" or ")} may ${action.replace("_", " ")} this escrow`);
  if (!rule.from.includes(status)) {
    throw new ApiError("RES002", `Cannot ${action.replace("_", " ")} an escrow that is ${status}`, { details: { status, action } });
  }
  return rule;
}

/** The role a user plays on this escrow (buyer/seller before admin, so an admin party acts as the party). */
export function actorOf(state: Pick<EscrowState, "buyerId" | "sellerId">, userId: string, isAdmin: boolean): EscrowActor | null {
  if (userId === state.buyerId) return "buyer";
  if (userId === state.sellerId) return "seller";
  return isAdmin ? "admin" : null;
}

export function createEscrow(input: NewEscrow, now: string): EscrowState {
  return {
    id: input.id,
    status: "pending",
    buyerId: input.buyerId,
    sellerId: input.sellerId,
    listingId: input.listingId,
    contractId: input.contractId,
    amount: input.split.amount,
    currency: input.currency,
    commission: input.split.commission,
    sellerPayout: input.split.sellerPayout,
    description: input.description,
    inspectionPeriodHours: input.inspectionPeriodHours,
    payment: { provider: input.provider, reference: null, status: "unpaid", flagReason: null },
    payout: { status: "none", reference: null, attempts: 0, lastError: null },
    contractActivatedAt: null,
    deliveredAt: null,
    revealedAt: null,
    inspectionEndsAt: null,
    createdAt: now,
    updatedAt: now,
    fundedAt: null,
    contractSignedAt: null,
    releasedAt: null,
    completedAt: null,
    refundedAt: null,
    disputedAt: null,
    disputeReason: null,
  };
}

/** The buyer asked to pay: remembers the provider's reference (allowed again while unpaid, e.g. a retried checkout). */
export function initializePayment(s: EscrowState, actor: EscrowActor, provider: string, reference: string, now: string): EscrowState {
  if (actor !== "buyer") throw fail.forbidden("Only the buyer may fund this escrow");
  if (s.status !== "pending") throw fail.conflict(`Cannot fund an escrow that is ${s.status}`, { status: s.status });
  return { ...s, payment: { ...s.payment, provider, reference, status: "initialized" }, updatedAt: now };
}

/**
 * The provider confirmed the charge. Amount/currency must match exactly; otherwise the payment is flagged for
 * review and the escrow stays pending. A contract that became active before the money arrived moves it
 * straight on to contract_signed.
 */
export function fund(s: EscrowState, paid: { amount: number; currency: string }, now: string): Transition {
  assertCanTake("fund", s.status, "system");
  if (paid.amount !== s.amount || paid.currency !== s.currency) {
    const flagReason = `paid ${paid.amount} ${paid.currency}, expected ${s.amount} ${s.currency}`;
    return { state: { ...s, payment: { ...s.payment, status: "flagged", flagReason }, updatedAt: now }, events: [] };
  }
  const funded: EscrowState = { ...s, status: "funds_held", fundedAt: now, payment: { ...s.payment, status: "succeeded" }, updatedAt: now };
  if (!s.contractActivatedAt) return { state: funded, events: ["escrow.funded"] };
  const signed = contractSigned(funded, now);
  return { state: signed.state, events: ["escrow.funded", ...signed.events] };
}

/** The escrow contract became active. Before funding it is only remembered (the move happens when funded). */
export function contractSigned(s: EscrowState, now: string): Transition {
  if (s.status === "pending") return { state: { ...s, contractActivatedAt: s.contractActivatedAt ?? now, updatedAt: now }, events: [] };
  assertCanTake("contract_signed", s.status, "system");
  return {
    state: { ...s, status: "contract_signed", contractActivatedAt: s.contractActivatedAt ?? now, contractSignedAt: now, updatedAt: now },
    events: ["escrow.contract_signed"],
  };
}

export function deliver(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("deliver", s.status, actor);
  if (s.deliveredAt) throw fail.conflict("Credentials were already delivered");
  return { state: { ...s, deliveredAt: now, updatedAt: now }, events: ["escrow.delivered"] };
}

/** Exactly once: a second reveal finds the escrow credentials_released and is refused (RES002). */
export function reveal(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("reveal", s.status, actor);
  if (!s.deliveredAt) throw fail.conflict("The seller has not delivered yet");
  const inspectionEndsAt = new Date(Date.parse(now) + s.inspectionPeriodHours * 3_600_000).toISOString();
  return {
    state: { ...s, status: "credentials_released", revealedAt: now, releasedAt: now, inspectionEndsAt, updatedAt: now },
    events: ["escrow.credentials_released"],
  };
}

function completed(s: EscrowState, now: string): EscrowState {
  return { ...s, status: "completed", completedAt: now, payout: { ...s.payout, status: "queued" }, updatedAt: now };
}

export function confirm(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("confirm", s.status, actor);
  return { state: completed(s, now), events: ["escrow.completed"] };
}

/** The inspection alarm: completes only once the period is over (an early wake-up is a no-op, null). */
export function autoComplete(s: EscrowState, now: string): Transition | null {
  if (!canTake("auto_complete", s.status, "system") || !s.inspectionEndsAt || now < s.inspectionEndsAt) return null;
  return { state: completed(s, now), events: ["escrow.completed"] };
}

export function dispute(s: EscrowState, actor: EscrowActor, reason: string, now: string): Transition {
  assertCanTake("dispute", s.status, actor);
  return { state: { ...s, status: "disputed", disputedAt: now, disputeReason: reason, updatedAt: now }, events: ["escrow.disputed"] };
}

/** Admin resolution in the seller's favour: completes and queues the payout. */
export function release(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("release", s.status, actor);
  return { state: completed(s, now), events: ["escrow.released", "escrow.completed"] };
}

/** Admin resolution in the buyer's favour: refunded here; the provider refund follows (payment.status tracks it). */
export function refund(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("refund", s.status, actor);
  return {
    state: { ...s, status: "refunded", refundedAt: now, payment: { ...s.payment, status: "refund_pending" }, updatedAt: now },
    events: ["escrow.refunded"],
  };
}

/** Provider news about the refund (refund.processed / refund.failed): bookkeeping only. */
export function refundSettled(s: EscrowState, succeeded: boolean, now: string): EscrowState {
  if (s.status !== "refunded") throw fail.conflict(`No refund is pending on an escrow that is ${s.status}`);
  return { ...s, payment: { ...s.payment, status: succeeded ? "refunded" : "refund_failed" }, updatedAt: now };
}

/** The payout job asked the provider for a transfer under `reference` (our own, stable across retries). */
export function payoutRequested(s: EscrowState, reference: string, now: string): EscrowState {
  if (s.status !== "completed") throw fail.conflict(`No payout is due on an escrow that is ${s.status}`);
  return { ...s, payout: { ...s.payout, reference, attempts: s.payout.attempts + 1 }, updatedAt: now };
}

/** The provider's transfer outcome. Settled outcomes are final; a repeat is a no-op (null). */
export function payoutSettled(s: EscrowState, outcome: "sent" | "failed" | "reversed", reason: string | null, now: string): Transition | null {
  if (s.status !== "completed") throw fail.conflict(`No payout is due on an escrow that is ${s.status}`);
  if (s.payout.status === outcome) return null;
  if (s.payout.status === "sent" && outcome === "failed") return null;
  const state = { ...s, payout: { ...s.payout, status: outcome, lastError: reason }, updatedAt: now };
  return { state, events: [outcome === "sent" ? "escrow.payout_sent" : "escrow.payout_failed"] };
}

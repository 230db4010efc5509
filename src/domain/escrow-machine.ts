// The escrow state machine (pure): which action may move an escrow from which status, who may trigger it, and
// which events it emits. EscrowRoom applies these inside its storage transaction; nothing here does I/O.
import { ApiError, fail } from "../lib/errors";
import { ESCROW_STATUSES, type UNMATCHED_REASONS, type AuditOnlyEventType, type EventOf } from "./events";
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
  | "refund"
  | "cancel"
  | "expire";

/** The escrow's published events, from the one catalog (domain/events.ts). */
export type EscrowEventType = EventOf<"escrow">;

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
  reveal: {
    from: ["contract_signed"],
    to: "credentials_released",
    by: ["buyer"],
    emits: ["escrow.credentials_released"],
  },
  confirm: { from: ["credentials_released"], to: "completed", by: ["buyer"], emits: ["escrow.completed"] },
  auto_complete: { from: ["credentials_released"], to: "completed", by: ["system"], emits: ["escrow.completed"] },
  dispute: {
    from: ["funds_held", "contract_signed", "credentials_released"],
    to: "disputed",
    by: ["buyer", "seller"],
    emits: ["escrow.disputed"],
  },
  release: { from: ["disputed"], to: "completed", by: ["admin"], emits: ["escrow.released", "escrow.completed"] },
  refund: {
    from: ["funds_held", "contract_signed", "disputed"],
    to: "refunded",
    by: ["admin"],
    emits: ["escrow.refunded"],
  },
  // The ways out of an unfunded escrow: the buyer (or an admin) walks away, or the reservation runs out.
  cancel: { from: ["pending"], to: "cancelled", by: ["buyer", "admin"], emits: ["escrow.cancelled"] },
  expire: { from: ["pending"], to: "expired", by: ["system"], emits: ["escrow.expired"] },
};

export const TERMINAL_STATUSES: readonly EscrowStatus[] = ["completed", "refunded", "cancelled", "expired"];

/** How long a checkout (reference + authorization URL) is offered again to a buyer who retries funding (ms). */
/** How long an unfunded escrow holds its reservation when ESCROW_RESERVATION_MINUTES is not set. */
export const DEFAULT_RESERVATION_MINUTES = 60;

export const CHECKOUT_REUSE_MS = 30 * 60_000;

/** "flagged" is kept only for escrows recorded before unmatched charges were refunded automatically. */
export type PaymentStatus =
  | "unpaid"
  | "initialized"
  | "succeeded"
  | "flagged"
  | "refund_pending"
  | "refunded"
  | "refund_failed";
export type PayoutStatus = "none" | "queued" | "sent" | "failed" | "reversed";

/** Why a successful charge did not fund its escrow (it is then refunded through the provider). */
export type UnmatchedReason = (typeof UNMATCHED_REASONS)[number];
export type ChargeRefundStatus = "refund_pending" | "refunded" | "refund_failed";

/** A successful provider charge for one of this escrow's references (one per reference: the provider charges a reference once). */
export interface ChargeRecord {
  /** `pay_…`, the id admins use (GET /admin/payments/unmatched, POST /admin/payments/:id/refund). */
  id: string;
  reference: string;
  /** integer minor units, as the provider reported them */
  amount: number;
  currency: string;
  /** funded: this charge funded the escrow; otherwise it is being (or was) refunded. */
  status: "funded" | ChargeRefundStatus;
  reason: UnmatchedReason | null;
  lastError: string | null;
  receivedAt: string;
  updatedAt: string;
  refundedAt: string | null;
}

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
  payment: {
    provider: string;
    reference: string | null;
    status: PaymentStatus;
    flagReason: string | null;
    /** The open checkout, offered again to a retrying buyer until issuedAt + CHECKOUT_REUSE_MS. */
    authorizationUrl: string | null;
    issuedAt: string | null;
  };
  /** Every successful charge received for this escrow's references, oldest first. */
  charges: ChargeRecord[];
  /**
   * `generation` numbers the transfer attempts that got a definite failure: each retry after a failed or reversed
   * payout uses a new reference (lib/payments payoutReference(id, generation)); `recipient` is the one it went to.
   */
  payout: {
    status: PayoutStatus;
    reference: string | null;
    attempts: number;
    lastError: string | null;
    generation: number;
    recipient: string | null;
  };
  /** An unfunded escrow expires (and frees its listing) at this instant. */
  expiresAt: string | null;
  cancelledAt: string | null;
  expiredAt: string | null;
  cancelReason: string | null;
  contractActivatedAt: string | null;
  deliveredAt: string | null;
  /** The credential reveal to the buyer (`reveal`); starts the inspection period. */
  revealedAt: string | null;
  inspectionEndsAt: string | null;
  createdAt: string;
  updatedAt: string;
  fundedAt: string | null;
  contractSignedAt: string | null;
  /** API.md's name for the same instant as revealedAt: credentials released to the buyer (not a release of funds). */
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
  /** Minutes an unfunded escrow stays open (ESCROW_RESERVATION_MINUTES); default DEFAULT_RESERVATION_MINUTES. */
  reservationMinutes?: number;
}

export interface Transition {
  state: EscrowState;
  events: EscrowEventType[];
  /** Extra data for the emitted events (e.g. the reason of a cancel, the charge of an unmatched payment). */
  data?: Record<string, unknown>;
  /** Timeline-only entries (audited, not published): e.g. a provider event that arrived late and was not applied. */
  notes?: { type: AuditOnlyEventType; data: Record<string, unknown> }[];
}

/** Whether `actor` may take `action` on an escrow in `status` (no throw; for docs, UIs and tests). */
export function canTake(action: EscrowAction, status: EscrowStatus, actor: EscrowActor): boolean {
  const rule = ESCROW_RULES[action];
  return rule.from.includes(status) && rule.by.includes(actor);
}

/** Throws AUTH003 for the wrong actor (checked first: an outsider learns nothing of the state), RES002 for the wrong status. */
export function assertCanTake(action: EscrowAction, status: EscrowStatus, actor: EscrowActor): Rule {
  const rule = ESCROW_RULES[action];
  if (!rule.by.includes(actor))
    throw fail.forbidden(`Only ${rule.by.join(" or ")} may ${action.replace("_", " ")} this escrow`);
  if (!rule.from.includes(status)) {
    throw new ApiError("RES002", `Cannot ${action.replace("_", " ")} an escrow that is ${status}`, {
      details: { status, action },
    });
  }
  return rule;
}

/** The role a user plays on this escrow (buyer/seller before admin, so an admin party acts as the party). */
export function actorOf(
  state: Pick<EscrowState, "buyerId" | "sellerId">,
  userId: string,
  isAdmin: boolean,
): EscrowActor | null {
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
    payment: {
      provider: input.provider,
      reference: null,
      status: "unpaid",
      flagReason: null,
      authorizationUrl: null,
      issuedAt: null,
    },
    charges: [],
    payout: { status: "none", reference: null, attempts: 0, lastError: null, generation: 0, recipient: null },
    expiresAt: new Date(
      Date.parse(now) + (input.reservationMinutes ?? DEFAULT_RESERVATION_MINUTES) * 60_000,
    ).toISOString(),
    cancelledAt: null,
    expiredAt: null,
    cancelReason: null,
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

/**
 * Fills fields added after an escrow was first stored (rooms keep their state as JSON): old escrows get no
 * reservation expiry they never promised, and an empty charge list.
 */
export function upgradeState(s: EscrowState): EscrowState {
  const p = s.payment as Partial<EscrowState["payment"]> & EscrowState["payment"];
  const po = s.payout as Partial<EscrowState["payout"]> & EscrowState["payout"];
  return {
    ...s,
    payment: { ...p, authorizationUrl: p.authorizationUrl ?? null, issuedAt: p.issuedAt ?? null },
    charges: s.charges ?? [],
    payout: { ...po, generation: po.generation ?? 0, recipient: po.recipient ?? null },
    expiresAt: s.expiresAt ?? null,
    cancelledAt: s.cancelledAt ?? null,
    expiredAt: s.expiredAt ?? null,
    cancelReason: s.cancelReason ?? null,
  };
}

/** Only the buyer funds, and only while pending (AUTH003 / RES002). */
function assertMayFund(s: EscrowState, actor: EscrowActor): void {
  if (actor !== "buyer") throw fail.forbidden("Only the buyer may fund this escrow");
  if (s.status !== "pending") throw fail.conflict(`Cannot fund an escrow that is ${s.status}`, { status: s.status });
}

/**
 * A retried checkout: the open reference and its authorization URL while they are still offered (so a second tab
 * pays the same reference), null when a new checkout is needed. Throws like initializePayment.
 */
export function openCheckout(
  s: EscrowState,
  actor: EscrowActor,
  now: string,
): { reference: string; authorizationUrl: string } | null {
  assertMayFund(s, actor);
  const { reference, authorizationUrl, issuedAt, status } = s.payment;
  if (status !== "initialized" || !reference || !authorizationUrl || !issuedAt) return null;
  return Date.parse(now) < Date.parse(issuedAt) + CHECKOUT_REUSE_MS ? { reference, authorizationUrl } : null;
}

/** The buyer asked to pay: remembers the provider's reference and checkout (a later retry is offered the same). */
export function initializePayment(
  s: EscrowState,
  actor: EscrowActor,
  provider: string,
  reference: string,
  now: string,
  authorizationUrl: string | null = null,
): EscrowState {
  assertMayFund(s, actor);
  return {
    ...s,
    payment: { ...s.payment, provider, reference, status: "initialized", authorizationUrl, issuedAt: now },
    updatedAt: now,
  };
}

/**
 * The provider confirmed a charge of exactly the escrow's amount and currency (payment-machine.ts decides that
 * and what happens to any other charge). A contract that became active before the money arrived moves the
 * escrow straight on to contract_signed.
 */
export function fund(s: EscrowState, paid: { amount: number; currency: string }, now: string): Transition {
  assertCanTake("fund", s.status, "system");
  if (paid.amount !== s.amount || paid.currency !== s.currency) {
    throw fail.conflict(`paid ${paid.amount} ${paid.currency}, expected ${s.amount} ${s.currency}`);
  }
  const payment = { ...s.payment, status: "succeeded" as const, authorizationUrl: null };
  const funded: EscrowState = { ...s, status: "funds_held", fundedAt: now, payment, updatedAt: now };
  if (!s.contractActivatedAt) return { state: funded, events: ["escrow.funded"] };
  const signed = contractSigned(funded, now);
  return { state: signed.state, events: ["escrow.funded", ...signed.events] };
}

/** The buyer (or an admin) walks away from an unfunded escrow; its reservation ends with it. */
export function cancel(s: EscrowState, actor: EscrowActor, reason: string | null, now: string): Transition {
  assertCanTake("cancel", s.status, actor);
  return {
    state: {
      ...s,
      status: "cancelled",
      cancelledAt: now,
      cancelReason: reason,
      payment: { ...s.payment, authorizationUrl: null },
      updatedAt: now,
    },
    events: ["escrow.cancelled"],
    ...(reason ? { data: { reason } } : {}),
  };
}

/** The reservation ran out unfunded (null before expiresAt, or when the escrow is no longer pending). */
export function expire(s: EscrowState, now: string): Transition | null {
  if (!canTake("expire", s.status, "system") || !s.expiresAt || now < s.expiresAt) return null;
  return {
    state: {
      ...s,
      status: "expired",
      expiredAt: now,
      payment: { ...s.payment, authorizationUrl: null },
      updatedAt: now,
    },
    events: ["escrow.expired"],
  };
}

/**
 * Every deadline of the escrow, checked when anyone acts (and by the room's alarm): a reservation past expiresAt
 * expires, an inspection period that ended completes. Null when nothing is due.
 */
export function settleDeadlines(s: EscrowState, now: string): Transition | null {
  return expire(s, now) ?? autoComplete(s, now);
}

/** The escrow contract became active. Before funding it is only remembered (the move happens when funded). */
export function contractSigned(s: EscrowState, now: string): Transition {
  if (s.status === "pending")
    return { state: { ...s, contractActivatedAt: s.contractActivatedAt ?? now, updatedAt: now }, events: [] };
  assertCanTake("contract_signed", s.status, "system");
  return {
    state: {
      ...s,
      status: "contract_signed",
      contractActivatedAt: s.contractActivatedAt ?? now,
      contractSignedAt: now,
      updatedAt: now,
    },
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
  return {
    state: { ...s, status: "disputed", disputedAt: now, disputeReason: reason, updatedAt: now },
    events: ["escrow.disputed"],
  };
}

/**
 * The admin release of funds: dispute resolution in the seller's favour; completes and queues the payout. Not the
 * credential reveal (`reveal`, status `credentials_released`), which API.md also calls a release.
 */
export function releaseFunds(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("release", s.status, actor);
  return { state: completed(s, now), events: ["escrow.released", "escrow.completed"] };
}

/** Admin resolution in the buyer's favour: refunded here; the provider refund follows (payment.status tracks it). */
export function refund(s: EscrowState, actor: EscrowActor, now: string): Transition {
  assertCanTake("refund", s.status, actor);
  return {
    state: {
      ...s,
      status: "refunded",
      refundedAt: now,
      payment: { ...s.payment, status: "refund_pending" },
      updatedAt: now,
    },
    events: ["escrow.refunded"],
  };
}

/** Provider news about the escrow's refund (refund.processed / refund.failed), forward only (null: not applied). */
export function refundSettled(s: EscrowState, succeeded: boolean, now: string): EscrowState | null {
  if (s.status !== "refunded") throw fail.conflict(`No refund is pending on an escrow that is ${s.status}`);
  const to: PaymentStatus = succeeded ? "refunded" : "refund_failed";
  if (!advances(PAYMENT_FLOW, s.payment.status, to)) return null;
  return { ...s, payment: { ...s.payment, status: to }, updatedAt: now };
}

/**
 * The payout job asked the provider for a transfer under `reference` (ours: stable across retries of one attempt)
 * to `recipient`. A payout that failed or was reversed first moves on to a new generation (retryPayout).
 */
export function payoutRequested(
  s: EscrowState,
  reference: string,
  now: string,
  recipient: string | null = null,
): EscrowState {
  if (s.status !== "completed") throw fail.conflict(`No payout is due on an escrow that is ${s.status}`);
  if (s.payout.status !== "queued") throw fail.conflict(`The payout is ${s.payout.status}, not queued`);
  return {
    ...s,
    payout: { ...s.payout, reference, recipient: recipient ?? s.payout.recipient, attempts: s.payout.attempts + 1 },
    updatedAt: now,
  };
}

/** A failed or reversed payout is queued again as a new attempt (new generation → new transfer reference). */
export function retryPayout(s: EscrowState, now: string): EscrowState {
  if (s.status !== "completed") throw fail.conflict(`No payout is due on an escrow that is ${s.status}`);
  if (!advances(PAYOUT_FLOW, s.payout.status, "queued"))
    throw fail.conflict(`A payout that is ${s.payout.status} is not retried`);
  return {
    ...s,
    payout: { ...s.payout, status: "queued", generation: s.payout.generation + 1, lastError: null },
    updatedAt: now,
  };
}

/**
 * The provider's transfer outcome, forward only (PAYOUT_FLOW): a repeat, or a late event that would move the
 * payout back (a transfer.success after its transfer.reversed), is not applied (null).
 */
export function payoutSettled(
  s: EscrowState,
  outcome: "sent" | "failed" | "reversed",
  reason: string | null,
  now: string,
): Transition | null {
  if (s.status !== "completed") throw fail.conflict(`No payout is due on an escrow that is ${s.status}`);
  if (!advances(PAYOUT_FLOW, s.payout.status, outcome)) return null;
  const state = { ...s, payout: { ...s.payout, status: outcome, lastError: reason }, updatedAt: now };
  return {
    state,
    events: [outcome === "sent" ? "escrow.payout_sent" : "escrow.payout_failed"],
    ...(reason ? { data: { reason } } : {}),
  };
}

/**
 * Money states move forward only. Each table lists, per status, the statuses a provider event or our own step may
 * move it to; anything else (a repeat, a late or out-of-order event) is recorded and not applied.
 */
export const PAYOUT_FLOW: Record<PayoutStatus, readonly PayoutStatus[]> = {
  none: ["queued"],
  queued: ["sent", "failed", "reversed"],
  // Paystack can reverse a transfer it reported successful; nothing brings a reversal back to sent.
  sent: ["reversed"],
  failed: ["queued"],
  reversed: ["queued"],
};

export const PAYMENT_FLOW: Record<PaymentStatus, readonly PaymentStatus[]> = {
  unpaid: ["initialized", "succeeded"],
  initialized: ["initialized", "succeeded"],
  flagged: ["initialized", "succeeded"],
  succeeded: ["refund_pending"],
  refund_pending: ["refunded", "refund_failed"],
  refund_failed: ["refund_pending"],
  refunded: [],
};

export const CHARGE_FLOW: Record<ChargeRecord["status"], readonly ChargeRecord["status"][]> = {
  funded: [],
  refund_pending: ["refunded", "refund_failed"],
  refund_failed: ["refund_pending"],
  refunded: [],
};

export function advances<S extends string>(flow: Record<S, readonly S[]>, from: S, to: S): boolean {
  return flow[from].includes(to);
}

/**
 * Why a contract cannot bind an escrow between `buyer` and `seller`, or null when it can (issue 12 kind 4): it
 * must be a draft or pending contract whose signers (role signer) include both parties' verified emails. Being
 * unlinked to another escrow is checked atomically where the link is claimed (db/escrows claimContractLink).
 */
export function contractBindingRefusal(
  contract: { status: string; signers: readonly { email: string; role: string }[] },
  buyer: { email: string; emailVerifiedAt: string | null },
  seller: { email: string; emailVerifiedAt: string | null },
): string | null {
  if (contract.status !== "draft" && contract.status !== "pending") {
    return `The contract is ${contract.status}; an escrow can only be bound to a draft or pending contract`;
  }
  const signers = new Set(contract.signers.filter((s) => s.role === "signer").map((s) => s.email.trim().toLowerCase()));
  const missing = [
    ...(!buyer.emailVerifiedAt || !signers.has(buyer.email.toLowerCase())
      ? ["the buyer (you, with your verified email)"]
      : []),
    ...(!seller.emailVerifiedAt || !signers.has(seller.email.toLowerCase())
      ? ["the seller (with their verified email)"]
      : []),
  ];
  return missing.length
    ? `The contract's signers must include ${missing.join(" and ")}; link a contract between the escrow's own parties`
    : null;
}

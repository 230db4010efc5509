// Signing routing rules (pure): send, approve, sign, decline, complete, expire and reminders over ContractState.
// Lower order acts first, equal order in parallel; approvers approve, signers sign, viewers only get copies.
import { fail } from "../lib/errors";
import { hasPassed } from "./time";
import { assertTransition, type ContractState, type Signer } from "./contract-machine";

/** Reminder schedule of one contract, chosen at send (defaults: first after 24 h, then every 48 h, at most 3). */
export interface ReminderPolicy {
  firstAfterHours: number;
  everyHours: number;
  max: number;
  /** The owner is told who blocks once a recipient has waited this long (null: never). */
  escalateAfterHours: number | null;
}

export const DEFAULT_REMINDERS: ReminderPolicy = {
  firstAfterHours: 24,
  everyHours: 48,
  max: 3,
  escalateAfterHours: 72,
};

/** Per-recipient bookkeeping of the signing flow, kept next to the contract's state. */
export interface RecipientProgress {
  notifiedAt: string | null;
  reminders: number;
  lastReminderAt: string | null;
  escalatedAt: string | null;
}

export interface SigningInfo {
  reminders: ReminderPolicy;
  progress: Record<string, RecipientProgress>;
  /** The sender's note given at send, quoted in every signing request and reminder (absent before it existed). */
  message?: string | null;
}

export type RecipientAction = "approve" | "sign";

const isRequired = (s: Signer) => s.role !== "viewer";
const HOUR = 3_600_000;

/** The order whose recipients must act now, or null when every required recipient has acted. */
export function currentOrder(state: Pick<ContractState, "signers">): number | null {
  const waiting = state.signers.filter((s) => isRequired(s) && s.status !== "signed").map((s) => s.order);
  return waiting.length ? Math.min(...waiting) : null;
}

/** The required recipients whose turn it is and who have not acted yet. */
export function recipientsInTurn(state: Pick<ContractState, "signers">): Signer[] {
  const order = currentOrder(state);
  return order === null ? [] : state.signers.filter((s) => isRequired(s) && s.order === order && s.status !== "signed");
}

function progressOf(info: SigningInfo | null | undefined, signerId: string): RecipientProgress {
  return info?.progress[signerId] ?? { notifiedAt: null, reminders: 0, lastReminderAt: null, escalatedAt: null };
}

/** Marks the recipients of the current order notified (once), returning them so the room can email them. */
function notifyTurn(state: ContractState, info: SigningInfo, now: string): { signers: Signer[]; notified: Signer[] } {
  const due = new Set(
    recipientsInTurn(state)
      .filter((s) => s.status === "waiting")
      .map((s) => s.id),
  );
  const notified: Signer[] = [];
  const signers = state.signers.map((s) => {
    if (!due.has(s.id)) return s;
    const next = { ...s, status: "notified" as const };
    info.progress[s.id] = { ...progressOf(info, s.id), notifiedAt: now };
    notified.push(next);
    return next;
  });
  return { signers, notified };
}

/**
 * Workflow approvers come before every recipient of the contract: they take orders 1…k (their rule orders, ranked),
 * and existing recipients move back by k. An approver already a recipient keeps their place.
 */
export function withWorkflowApprovers(
  signers: Signer[],
  approvers: { id: string; email: string; name?: string; order: number }[],
): Signer[] {
  const known = new Set(signers.map((s) => s.email));
  const fresh = approvers.filter(
    (a, i) => !known.has(a.email) && approvers.findIndex((b) => b.email === a.email) === i,
  );
  if (fresh.length === 0) return signers;
  const ranks = [...new Set(fresh.map((a) => a.order))].sort((a, b) => a - b);
  const shift = ranks.length;
  const minExisting = signers.length ? Math.min(...signers.map((s) => s.order)) : 1;
  return [
    ...fresh.map((a) => ({
      id: a.id,
      email: a.email,
      name: a.name ?? a.email,
      role: "approver" as const,
      order: ranks.indexOf(a.order) + 1,
      status: "waiting" as const,
      signedAt: null,
      signature: null,
    })),
    ...signers.map((s) => ({ ...s, order: s.order - minExisting + 1 + shift })),
  ];
}

export interface SendInput {
  documentHash: string;
  /** Signers after workflow approvers were applied. */
  signers: Signer[];
  reminders: ReminderPolicy;
}

/**
 * The preconditions of send, checked before the document is rendered and stored (and again in the command):
 * RES002 unless a draft with at least one signer whose expiresAt (if any) is still ahead of `now`.
 */
export function assertCanSend(state: ContractState, signers: readonly Signer[], now: string): void {
  assertTransition(state.status, "pending");
  if (!signers.some((s) => s.role === "signer")) {
    throw fail.conflict("A contract needs at least one signer before it can be sent");
  }
  if (state.expiresAt && hasPassed(state.expiresAt, now)) {
    throw fail.conflict("The contract's expiresAt has already passed; set a later one before sending", {
      expiresAt: state.expiresAt,
    });
  }
}

/** draft → pending: freezes the document hash and notifies the first order (and every viewer, who gets a copy). */
export function send(
  state: ContractState,
  input: SendInput,
  now: string,
): { state: ContractState; info: SigningInfo; notified: Signer[] } {
  assertCanSend(state, input.signers, now);
  const info: SigningInfo = { reminders: input.reminders, progress: {} };
  const base: ContractState = {
    ...state,
    signers: input.signers,
    status: "pending",
    documentHash: input.documentHash,
    sentAt: now,
    updatedAt: now,
  };
  const { signers, notified } = notifyTurn(base, info, now);
  const viewers = signers.filter((s) => s.role === "viewer").map((s) => ({ ...s, status: "notified" as const }));
  const merged = signers.map((s) => viewers.find((v) => v.id === s.id) ?? s);
  return { state: { ...base, signers: merged }, info, notified: [...notified, ...viewers] };
}

export interface ActResult {
  state: ContractState;
  info: SigningInfo;
  /** Recipients notified because their order's turn came. */
  notified: Signer[];
  activated: boolean;
}

/**
 * Why a contract is not open for a recipient's action (RES002), or nothing when it is pending. An expired contract says
 * so with its expiry, so a recipient who arrives late learns why rather than seeing a bare "cancelled".
 */
function assertPending(state: ContractState, what: string): void {
  if (state.status === "pending") return;
  if (state.status === "cancelled" && state.cancelReason === "expired") {
    const details = { status: state.status, expiresAt: state.expiresAt };
    throw fail.conflict(`This contract expired at ${state.expiresAt}; ${what}`, details);
  }
  throw fail.conflict(`This contract is ${state.status}; ${what}`, { status: state.status });
}

/**
 * The preconditions of approve/sign, checked before any side effect (a signature image is stored only once the
 * recipient may sign) and again inside the command. RES002 when the contract is not pending or its expiresAt has
 * passed at `now`, the recipient's role does not do this action, they already acted, or it is not their turn.
 */
export function assertCanAct(state: ContractState, signerId: string, action: RecipientAction, now: string): Signer {
  const recipient = state.signers.find((s) => s.id === signerId);
  if (!recipient) throw fail.notFound("Signer");
  assertPending(state, "nothing can be signed now");
  assertNotExpired(state, now);
  const expected: Record<Signer["role"], RecipientAction | null> = {
    approver: "approve",
    signer: "sign",
    viewer: null,
  };
  if (expected[recipient.role] !== action)
    throw fail.conflict(`A ${recipient.role} cannot ${action}`, { role: recipient.role });
  if (recipient.status === "signed") throw fail.conflict("You have already acted on this contract");
  if (recipient.order !== currentOrder(state)) {
    throw fail.conflict("It is not your turn yet", { order: recipient.order, currentOrder: currentOrder(state) });
  }
  return recipient;
}

/** A pending contract whose expiresAt passed takes no more actions, even before anything recorded its expiry. */
function assertNotExpired(state: ContractState, now: string): void {
  if (state.expiresAt && hasPassed(state.expiresAt, now)) {
    const details = { expiresAt: state.expiresAt };
    throw fail.conflict(`This contract expired at ${state.expiresAt}; nothing can be signed now`, details);
  }
}

/**
 * A recipient approves or signs. Refused with RES002 when the contract is not pending, the recipient's role does not do
 * this action, they already acted, or it is not their order's turn.
 */
export function act(
  state: ContractState,
  info: SigningInfo | null | undefined,
  signerId: string,
  action: RecipientAction,
  signature: Record<string, unknown> | null,
  now: string,
): ActResult {
  assertCanAct(state, signerId, action, now);

  const nextInfo: SigningInfo = {
    reminders: info?.reminders ?? DEFAULT_REMINDERS,
    progress: { ...(info?.progress ?? {}) },
  };
  const acted: ContractState = {
    ...state,
    updatedAt: now,
    signers: state.signers.map((s) =>
      s.id === signerId ? { ...s, status: "signed" as const, signedAt: now, signature } : s,
    ),
  };
  if (currentOrder(acted) === null) {
    return { state: { ...acted, status: "active", activatedAt: now }, info: nextInfo, notified: [], activated: true };
  }
  const { signers, notified } = notifyTurn(acted, nextInfo, now);
  return { state: { ...acted, signers }, info: nextInfo, notified, activated: false };
}

/** A signer or approver who has not acted declines: the contract is cancelled with their reason. */
export function decline(state: ContractState, signerId: string, reason: string, now: string): ContractState {
  const recipient = state.signers.find((s) => s.id === signerId);
  if (!recipient) throw fail.notFound("Signer");
  assertPending(state, "it cannot be declined");
  if (state.expiresAt && hasPassed(state.expiresAt, now)) {
    const details = { expiresAt: state.expiresAt };
    throw fail.conflict(`This contract expired at ${state.expiresAt}; it cannot be declined`, details);
  }
  if (recipient.role === "viewer") throw fail.conflict("A viewer cannot decline");
  if (recipient.status === "signed") throw fail.conflict("You have already acted on this contract");
  return {
    ...state,
    status: "cancelled",
    cancelledAt: now,
    cancelReason: reason,
    updatedAt: now,
    signers: state.signers.map((s) => (s.id === signerId ? { ...s, status: "declined" as const } : s)),
  };
}

/** active → completed (the owner marks the agreement fulfilled). */
export function complete(state: ContractState, now: string): ContractState {
  assertTransition(state.status, "completed");
  return { ...state, status: "completed", completedAt: now, updatedAt: now };
}

/** A pending contract whose expiresAt has passed is cancelled; anything else is left alone (null). */
export function expire(state: ContractState, now: string): ContractState | null {
  if (state.status !== "pending" || !state.expiresAt || !hasPassed(state.expiresAt, now)) return null;
  return { ...state, status: "cancelled", cancelledAt: now, cancelReason: "expired", updatedAt: now };
}

export interface ReminderPlan {
  remind: Signer[];
  /** Recipients the owner should hear about (blocking past the escalation delay, not yet escalated). */
  escalate: Signer[];
}

/** Who gets a reminder / who is escalated at `now`: only recipients in turn who have not acted. */
export function dueReminders(state: ContractState, info: SigningInfo | null | undefined, now: string): ReminderPlan {
  if (state.status !== "pending" || !info) return { remind: [], escalate: [] };
  const t = Date.parse(now);
  const policy = info.reminders;
  const remind: Signer[] = [];
  const escalate: Signer[] = [];
  for (const s of recipientsInTurn(state)) {
    const p = progressOf(info, s.id);
    if (!p.notifiedAt) continue;
    const since = Date.parse(p.notifiedAt);
    const nextAt =
      p.reminders === 0
        ? since + policy.firstAfterHours * HOUR
        : Date.parse(p.lastReminderAt ?? p.notifiedAt) + policy.everyHours * HOUR;
    if (p.reminders < policy.max && t >= nextAt) remind.push(s);
    if (policy.escalateAfterHours !== null && !p.escalatedAt && t >= since + policy.escalateAfterHours * HOUR)
      escalate.push(s);
  }
  return { remind, escalate };
}

/** Records that reminders/escalations went out. */
export function recordReminders(info: SigningInfo, plan: ReminderPlan, now: string): SigningInfo {
  const progress = { ...info.progress };
  for (const s of plan.remind) {
    const p = progressOf(info, s.id);
    progress[s.id] = { ...p, reminders: p.reminders + 1, lastReminderAt: now };
  }
  for (const s of plan.escalate) progress[s.id] = { ...(progress[s.id] ?? progressOf(info, s.id)), escalatedAt: now };
  return { ...info, progress };
}

/** When this contract next has a reminder or escalation due (null: nothing will ever be due in this state). */
export function nextReminderAt(state: ContractState, info: SigningInfo | null | undefined): string | null {
  if (state.status !== "pending" || !info) return null;
  const policy = info.reminders;
  let next: number | null = null;
  const consider = (t: number) => (next = next === null || t < next ? t : next);
  for (const s of recipientsInTurn(state)) {
    const p = progressOf(info, s.id);
    if (!p.notifiedAt) continue;
    const since = Date.parse(p.notifiedAt);
    if (p.reminders < policy.max) {
      consider(
        p.reminders === 0
          ? since + policy.firstAfterHours * HOUR
          : Date.parse(p.lastReminderAt ?? p.notifiedAt) + policy.everyHours * HOUR,
      );
    }
    if (policy.escalateAfterHours !== null && !p.escalatedAt) consider(since + policy.escalateAfterHours * HOUR);
  }
  return next === null ? null : new Date(next).toISOString();
}

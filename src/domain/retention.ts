// Retention policies, the pure rules: which record kinds a policy may govern, what each policy type does to them,
// the safe defaults (seeded by migration 0035) and the cutoff instant a policy sets at a given time.

/** Record kinds a policy may govern; each names a store and the instant its age is measured from. */
export const RECORD_KINDS = [
  /** accounts that never verified their address (age: registration) — retired like an erasure */
  "unverified_accounts",
  /** sessions and their refresh tokens (age: expiry or revocation, whichever came first) */
  "sessions",
  /** failed-login lockout rows (age: last failure) */
  "login_lockouts",
  /** email template data, which may hold one-time codes, and the dev mailbox copy (age: delivery or failure) */
  "email_payloads",
  /** dead-lettered queue messages (age: when dead-lettered) */
  "dead_letters",
  /** the security and admin audit log (age: the entry) */
  "audit_logs",
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * `deletion`: rows older than the period are deleted. `retention`: rows are kept, but their personal or secret
 * payload (email template data; an audit entry's IP and user agent) is cleared once older than the period.
 */
export const POLICY_TYPES = ["retention", "deletion"] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** Which types each kind supports: only kinds with a payload to clear can have a `retention` policy. */
export const TYPES_BY_KIND: Record<RecordKind, readonly PolicyType[]> = {
  unverified_accounts: ["deletion"],
  sessions: ["deletion"],
  login_lockouts: ["deletion"],
  email_payloads: ["retention", "deletion"],
  dead_letters: ["deletion"],
  audit_logs: ["retention", "deletion"],
};

/** Days in 7 years (365 · 7 + 2 leap days): audit logs' legal default. */
export const SEVEN_YEARS_DAYS = 2557;

export interface PolicyDefault {
  recordKind: RecordKind;
  type: PolicyType;
  periodDays: number;
}

/** The safe defaults (issue 15.4), seeded by migrations/0035_retention_policies.sql with the same values. */
export const DEFAULT_POLICIES: readonly PolicyDefault[] = [
  { recordKind: "unverified_accounts", type: "deletion", periodDays: 7 },
  { recordKind: "sessions", type: "deletion", periodDays: 30 },
  { recordKind: "login_lockouts", type: "deletion", periodDays: 1 },
  { recordKind: "email_payloads", type: "retention", periodDays: 30 },
  { recordKind: "dead_letters", type: "deletion", periodDays: 30 },
  { recordKind: "audit_logs", type: "deletion", periodDays: SEVEN_YEARS_DAYS },
];

/** Longest period accepted (100 years); the shortest is 1 day. */
export const MAX_PERIOD_DAYS = 36_500;

/**
 * Why a (kind, type) pair is refused, or null when allowed.
 * @returns a message for the VAL001 detail at `type`
 */
export function policyTypeProblem(kind: RecordKind, type: PolicyType): string | null {
  return TYPES_BY_KIND[kind].includes(type) ? null : `${kind} supports only ${TYPES_BY_KIND[kind].join(", ")}`;
}

/**
 * The instant before which records of a policy are due.
 * @param now the run's time
 * @param periodDays whole days, 1–MAX_PERIOD_DAYS
 * @returns ISO 8601 UTC with milliseconds, comparable as text with stored instants
 */
export function retentionCutoff(now: Date, periodDays: number): string {
  return new Date(now.getTime() - periodDays * 86_400_000).toISOString();
}

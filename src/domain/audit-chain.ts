// Hash-chained audit events of an aggregate: hash = sha256(prevHash || canonical(event)), seq gapless from 1.
// Personal fields (an email, a name, an IP) are hashed as salted commitments, never as themselves: the value and
// its salt are kept beside the chain as a "disclosure", which erasure drops. The chain then still verifies (it
// hashed the commitment) while the value is gone and, without the salt, cannot be recovered by guessing.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { canonicalJson } from "./canonical-json";

/** prevHash of the first event of every chain. */
export const GENESIS_HASH = "0".repeat(64);

/** The hashed part of an event: everything a reader sees except the hashes themselves. */
export interface AuditEventBody {
  seq: number;
  type: string;
  actorId: string | null;
  at: string;
  data: unknown;
}

export interface AuditEvent extends AuditEventBody {
  prevHash: string;
  hash: string;
  /**
   * For each personal field of `data` shown in clear: the salt of the commitment the chain hashed in its place.
   * A field erased since shows its commitment (`commit:sha256:<hex>`) and has no entry. Absent when none.
   */
  disclosures?: Record<string, string>;
}

/**
 * Top-level `data` fields that name or locate a person, or are free text that may (a title, a reason, a subject);
 * they enter the chain only as commitments.
 */
export const PERSONAL_AUDIT_FIELDS: readonly string[] = [
  "email",
  "from",
  "to",
  "name",
  "ip",
  "userAgent",
  "phone",
  "title",
  "description",
  "reason",
  "subject",
];

const COMMITMENT_PREFIX = "commit:sha256:";

/**
 * The commitment hashed in place of a personal value: `commit:sha256:` + hex sha256(salt + ":" + canonical(value)).
 * @param salt random hex (128 bits or more), one per value
 */
export function personalCommitment(salt: string, value: unknown): string {
  return COMMITMENT_PREFIX + bytesToHex(sha256(utf8ToBytes(`${salt}:${canonicalJson(value)}`)));
}

export const isCommitment = (value: unknown): value is string =>
  typeof value === "string" && value.startsWith(COMMITMENT_PREFIX);

export interface SealedData {
  /** What the chain hashes: personal fields replaced by commitments. */
  data: unknown;
  /** The personal values and their salts, to be stored outside the chain. */
  disclosures: { field: string; value: unknown; salt: string }[];
}

/**
 * Splits event data into its hashed form and its disclosures. Non-object data and null/absent fields pass as they are.
 * @param newSalt returns a fresh random salt per call (injected so the rule stays pure and testable)
 */
export function sealPersonal(data: unknown, newSalt: () => string): SealedData {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { data, disclosures: [] };
  const sealed: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  const disclosures: SealedData["disclosures"] = [];
  for (const field of PERSONAL_AUDIT_FIELDS) {
    const value = sealed[field];
    if (value === undefined || value === null || isCommitment(value)) continue;
    const salt = newSalt();
    sealed[field] = personalCommitment(salt, value);
    disclosures.push({ field, value, salt });
  }
  return { data: sealed, disclosures };
}

/**
 * The event as readers see it: each disclosed field back in clear, with its salt in `disclosures` so anyone can
 * recompute the commitment (verifyChain does). Fields without a disclosure (erased) keep their commitment.
 */
export function disclose(
  event: AuditEvent,
  disclosures: readonly { field: string; value: unknown; salt: string }[],
): AuditEvent {
  if (disclosures.length === 0 || typeof event.data !== "object" || event.data === null) return event;
  const data: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  const salts: Record<string, string> = {};
  for (const d of disclosures) {
    data[d.field] = d.value;
    salts[d.field] = d.salt;
  }
  return { ...event, data, disclosures: salts };
}

/** The data the chain hashed: each disclosed field folded back into its commitment. */
export function hashedData(event: AuditEvent): unknown {
  if (!event.disclosures || typeof event.data !== "object" || event.data === null) return event.data;
  const data: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  for (const [field, salt] of Object.entries(event.disclosures)) data[field] = personalCommitment(salt, data[field]);
  return data;
}

/** Synchronous on purpose: aggregates compute it inside a synchronous storage transaction. */
export function chainHash(prevHash: string, event: AuditEventBody): string {
  const body = canonicalJson({
    seq: event.seq,
    type: event.type,
    actorId: event.actorId,
    at: event.at,
    data: event.data,
  });
  return bytesToHex(sha256(utf8ToBytes(prevHash + body)));
}

/** Appends the next event to a chain whose head is `head` (null for an empty chain). */
export function nextAuditEvent(
  head: { seq: number; hash: string } | null,
  event: Omit<AuditEventBody, "seq">,
): AuditEvent {
  const seq = head ? head.seq + 1 : 1;
  const prevHash = head ? head.hash : GENESIS_HASH;
  const body = { seq, type: event.type, actorId: event.actorId, at: event.at, data: event.data };
  return { ...body, prevHash, hash: chainHash(prevHash, body) };
}

export type ChainCheck = { valid: true; head: string } | { valid: false; seq: number; reason: string };

/**
 * Recomputes every link: seq gapless from 1, each prevHash the previous hash, each hash over its own body (with
 * disclosed personal fields folded back into their commitments, see `hashedData`).
 */
export function verifyChain(events: readonly AuditEvent[]): ChainCheck {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1) return { valid: false, seq: event.seq, reason: `expected seq ${index + 1}` };
    if (event.prevHash !== prevHash) return { valid: false, seq: event.seq, reason: "prevHash does not link" };
    if (chainHash(prevHash, { ...event, data: hashedData(event) }) !== event.hash)
      return { valid: false, seq: event.seq, reason: "hash mismatch" };
    prevHash = event.hash;
  }
  return { valid: true, head: prevHash };
}

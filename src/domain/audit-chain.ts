// Hash-chained audit events of an aggregate: hash = sha256(prevHash || canonical(event)), seq gapless from 1.
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
}

/** Synchronous on purpose: aggregates compute it inside a synchronous storage transaction. */
export function chainHash(prevHash: string, event: AuditEventBody): string {
  const body = canonicalJson({ seq: event.seq, type: event.type, actorId: event.actorId, at: event.at, data: event.data });
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

/** Recomputes every link: seq gapless from 1, each prevHash the previous hash, each hash over its own body. */
export function verifyChain(events: readonly AuditEvent[]): ChainCheck {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (event.seq !== index + 1) return { valid: false, seq: event.seq, reason: `expected seq ${index + 1}` };
    if (event.prevHash !== prevHash) return { valid: false, seq: event.seq, reason: "prevHash does not link" };
    if (chainHash(prevHash, event) !== event.hash) return { valid: false, seq: event.seq, reason: "hash mismatch" };
    prevHash = event.hash;
  }
  return { valid: true, head: prevHash };
}

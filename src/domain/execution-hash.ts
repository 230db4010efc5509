// The hash anchored for a fully executed contract: SHA-256 over the canonical JSON of the executed PDF's hash, the
// frozen document's hash, the signatures and the audit chain head, so one 32-byte value commits to the file the
// parties receive, what they signed, by whom, and its history. A verifier holding the executed PDF follows
// SHA-256(PDF) → this record (its `executedDocumentHash`) → its Merkle proof → the root in the anchoring transaction.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { canonicalJson } from "./canonical-json";
import type { Hex32 } from "./merkle";

/**
 * Names the preimage layout, so a later change of it can never be confused with this one. v2 adds
 * `executedDocumentHash`; v1 (records made before the executed PDF existed) committed to the frozen PDF only.
 */
export const EXECUTION_HASH_SCHEME = "escra-execution-v2";
export const LEGACY_EXECUTION_HASH_SCHEME = "escra-execution-v1";

export interface ExecutionHashInput {
  /** SHA-256 of the frozen pre-signing PDF, the hash every signature is over (hex, with or without 0x, any case). */
  documentHash: string;
  /**
   * SHA-256 of the executed PDF exactly as GET /contracts/:id/executed-document serves it (sealed bytes). Absent only
   * to recompute a legacy v1 record.
   */
  executedDocumentHash?: string | undefined;
  /**
   * The signatures in signing order, as JSON values (e.g. { signerId, type, valueHash, signedAt, ip }). Array
   * order is kept; object keys are sorted by the canonical form, so property order does not matter.
   */
  signatures: readonly unknown[];
  /** Hash of the last event of the contract's audit chain before the record (hex, with or without 0x). */
  auditHead: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function bareHex(value: string, field: string): string {
  const hex = value.replace(/^0x/i, "").toLowerCase();
  if (!HEX64.test(hex)) throw new TypeError(`executionHash: ${field} must be 32 bytes of hex`);
  return hex;
}

/** The canonical preimage; exposed so third parties (and tests) can see exactly what is hashed. */
export function executionPreimage(input: ExecutionHashInput): string {
  const base = {
    documentHash: bareHex(input.documentHash, "documentHash"),
    signatures: input.signatures,
    auditHead: bareHex(input.auditHead, "auditHead"),
  };
  if (input.executedDocumentHash === undefined) return canonicalJson({ scheme: LEGACY_EXECUTION_HASH_SCHEME, ...base });
  return canonicalJson({
    scheme: EXECUTION_HASH_SCHEME,
    ...base,
    executedDocumentHash: bareHex(input.executedDocumentHash, "executedDocumentHash"),
  });
}

/**
 * sha256(canonicalJson({ auditHead, documentHash, executedDocumentHash, scheme: "escra-execution-v2", signatures }))
 * with every hash as lowercase hex without 0x; returned 0x-prefixed, ready for enqueueAnchor({ kind: "execution" }).
 * Without `executedDocumentHash` it is the legacy v1 layout (no such key, scheme "escra-execution-v1").
 */
export function executionHash(input: ExecutionHashInput): Hex32 {
  return `0x${bytesToHex(sha256(utf8ToBytes(executionPreimage(input))))}`;
}

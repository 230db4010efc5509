// The hash anchored for a fully executed contract: SHA-256 over the canonical JSON of the document hash, the
// signatures and the audit chain head, so one 32-byte value commits to what was signed, by whom, and its history.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { canonicalJson } from "./canonical-json";
import type { Hex32 } from "./merkle";

/** Names the preimage layout, so a later change of it can never be confused with this one. */
export const EXECUTION_HASH_SCHEME = "escra-execution-v1";

export interface ExecutionHashInput {
  /** SHA-256 of the frozen PDF (hex, with or without 0x, any case). */
  documentHash: string;
  /**
   * The signatures in signing order, as JSON values (e.g. { signerId, type, valueHash, signedAt, ip }). Array
   * order is kept; object keys are sorted by the canonical form, so property order does not matter.
   */
  signatures: readonly unknown[];
  /** Hash of the last event of the contract's audit chain (hex, with or without 0x). */
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
  return canonicalJson({
    scheme: EXECUTION_HASH_SCHEME,
    documentHash: bareHex(input.documentHash, "documentHash"),
    signatures: input.signatures,
    auditHead: bareHex(input.auditHead, "auditHead"),
  });
}

/**
 * sha256(canonicalJson({ auditHead, documentHash, scheme: "escra-execution-v1", signatures })) with both hashes as
 * lowercase hex without 0x; returned 0x-prefixed, ready for enqueueAnchor({ kind: "execution", … }).
 */
export function executionHash(input: ExecutionHashInput): Hex32 {
  return `0x${bytesToHex(sha256(utf8ToBytes(executionPreimage(input))))}`;
}

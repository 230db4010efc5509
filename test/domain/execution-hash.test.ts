// executionHash: a stable, documented preimage, sensitive to every input, insensitive to hex case/prefix and key order.
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { executionHash, executionPreimage } from "../../src/domain/execution-hash";

const documentHash = "a".repeat(64);
const auditHead = "b".repeat(64);
const signatures = [
  { signerId: "sig_1", type: "typed", signedAt: "2026-11-22T10:00:00.000Z" },
  { signerId: "sig_2", type: "drawn", signedAt: "2026-11-22T11:00:00.000Z" },
];

describe("executionHash", () => {
  it("is SHA-256 of the canonical JSON preimage, 0x-prefixed", () => {
    const preimage = executionPreimage({ documentHash, signatures, auditHead });
    expect(preimage).toBe(
      `{"auditHead":"${auditHead}","documentHash":"${documentHash}","scheme":"escra-execution-v1","signatures":[` +
        `{"signedAt":"2026-11-22T10:00:00.000Z","signerId":"sig_1","type":"typed"},` +
        `{"signedAt":"2026-11-22T11:00:00.000Z","signerId":"sig_2","type":"drawn"}]}`,
    );
    expect(executionHash({ documentHash, signatures, auditHead })).toBe(
      `0x${bytesToHex(sha256(utf8ToBytes(preimage)))}`,
    );
  });

  it("ignores hex case, a 0x prefix and object key order", () => {
    const a = executionHash({ documentHash, signatures, auditHead });
    const reordered = signatures.map(({ type, signedAt, signerId }) => ({ type, signedAt, signerId }));
    expect(
      executionHash({
        documentHash: `0x${documentHash.toUpperCase()}`,
        signatures: reordered,
        auditHead: `0X${auditHead}`,
      }),
    ).toBe(a);
  });

  it("changes with the document, any signature, their order, or the audit head", () => {
    const a = executionHash({ documentHash, signatures, auditHead });
    expect(executionHash({ documentHash: "c".repeat(64), signatures, auditHead })).not.toBe(a);
    expect(executionHash({ documentHash, signatures: [signatures[0]!], auditHead })).not.toBe(a);
    expect(executionHash({ documentHash, signatures: [...signatures].reverse(), auditHead })).not.toBe(a);
    expect(executionHash({ documentHash, signatures, auditHead: "c".repeat(64) })).not.toBe(a);
  });

  it("refuses hashes that are not 32 bytes", () => {
    expect(() => executionHash({ documentHash: "abc", signatures, auditHead })).toThrow(TypeError);
    expect(() => executionHash({ documentHash, signatures, auditHead: "z".repeat(64) })).toThrow(TypeError);
  });
});

describe("executionHash v2 (commits to the executed PDF)", () => {
  const executedDocumentHash = "d".repeat(64);

  it("adds the executed PDF's SHA-256 to the preimage under scheme escra-execution-v2", () => {
    const preimage = executionPreimage({ documentHash, executedDocumentHash, signatures: [], auditHead });
    expect(preimage).toBe(
      `{"auditHead":"${auditHead}","documentHash":"${documentHash}","executedDocumentHash":"${executedDocumentHash}",` +
        `"scheme":"escra-execution-v2","signatures":[]}`,
    );
    expect(executionHash({ documentHash, executedDocumentHash, signatures: [], auditHead })).toBe(
      `0x${bytesToHex(sha256(utf8ToBytes(preimage)))}`,
    );
  });

  it("changes with the executed PDF and never equals the legacy v1 hash", () => {
    const v2 = executionHash({ documentHash, executedDocumentHash, signatures, auditHead });
    expect(executionHash({ documentHash, executedDocumentHash: "e".repeat(64), signatures, auditHead })).not.toBe(v2);
    expect(executionHash({ documentHash, signatures, auditHead })).not.toBe(v2);
    expect(() => executionHash({ documentHash, executedDocumentHash: "xyz", signatures, auditHead })).toThrow(
      TypeError,
    );
  });
});

import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { canonicalJson } from "../../src/domain/canonical-json";
import {
  GENESIS_HASH,
  chainHash,
  disclose,
  isCommitment,
  nextAuditEvent,
  personalCommitment,
  sealPersonal,
  verifyChain,
  type AuditEvent,
} from "../../src/domain/audit-chain";

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });
  it("is independent of insertion order", () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
  it("omits undefined properties and escapes strings like JSON", () => {
    expect(canonicalJson({ a: undefined, b: 'q"\n' })).toBe('{"b":"q\\"\\n"}');
  });
  it("refuses values JSON cannot carry faithfully", () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
  });
});

function buildChain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    const head = events.at(-1) ?? null;
    events.push(
      nextAuditEvent(head, {
        type: "contract.updated",
        actorId: "usr_a",
        at: `2026-11-22T12:00:0${i}.000Z`,
        data: { version: i + 1 },
      }),
    );
  }
  return events;
}

describe("audit chain", () => {
  it("hashes sha256(prevHash || canonical(event)) starting from the genesis hash", () => {
    const [first] = buildChain(1);
    const expected = bytesToHex(
      sha256(
        utf8ToBytes(
          GENESIS_HASH +
            canonicalJson({ seq: 1, type: "contract.updated", actorId: "usr_a", at: first!.at, data: { version: 1 } }),
        ),
      ),
    );
    expect(first!.seq).toBe(1);
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(first!.hash).toBe(expected);
    expect(chainHash(GENESIS_HASH, first!)).toBe(expected);
  });

  it("links each event to the previous one and verifies", () => {
    const chain = buildChain(5);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.prevHash).toBe(chain[i - 1]!.hash);
    expect(verifyChain(chain)).toEqual({ valid: true, head: chain[4]!.hash });
    expect(verifyChain([])).toEqual({ valid: true, head: GENESIS_HASH });
  });

  it("detects tampered data, a removed event, reordering and a forged hash", () => {
    const chain = buildChain(4);
    const tampered = chain.map((e) => (e.seq === 2 ? { ...e, data: { version: 99 } } : e));
    expect(verifyChain(tampered)).toMatchObject({ valid: false, seq: 2, reason: "hash mismatch" });

    expect(verifyChain([chain[0]!, chain[2]!, chain[3]!])).toMatchObject({ valid: false, seq: 3 });

    const forged = chain.map((e) =>
      e.seq === 3 ? { ...e, actorId: "usr_evil", hash: chainHash(e.prevHash, { ...e, actorId: "usr_evil" }) } : e,
    );
    expect(verifyChain(forged)).toMatchObject({ valid: false, seq: 4, reason: "prevHash does not link" });
  });
});

describe("personal fields as salted commitments", () => {
  let n = 0;
  const salt = () => `salt${++n}`;

  it("hashes commitments, discloses the values beside the chain, and verifies both before and after erasure", () => {
    const sealed = sealPersonal({ shareId: "shr_1", email: "vera@x.com", permission: "view" }, salt);
    expect(sealed.data).toMatchObject({ shareId: "shr_1", permission: "view" });
    expect(isCommitment((sealed.data as Record<string, unknown>).email)).toBe(true);
    expect(JSON.stringify(sealed.data)).not.toContain("vera");
    const event = nextAuditEvent(null, {
      type: "contract.shared",
      actorId: "usr_a",
      at: "2026-11-30T00:00:00.000Z",
      data: sealed.data,
    });
    const shown = disclose(event, sealed.disclosures);
    expect(shown.data).toMatchObject({ email: "vera@x.com" });
    expect(shown.disclosures).toEqual({ email: sealed.disclosures[0]!.salt });
    expect(verifyChain([shown]).valid).toBe(true);
    // Erased: no disclosure, the commitment stands and still verifies.
    expect(verifyChain([event]).valid).toBe(true);
    // A disclosed value changed afterwards no longer matches its commitment.
    expect(verifyChain([{ ...shown, data: { ...(shown.data as object), email: "eve@x.com" } }]).valid).toBe(false);
  });

  it("commits to the same value differently under different salts (no guessing across events)", () => {
    expect(personalCommitment("a", "vera@x.com")).not.toBe(personalCommitment("b", "vera@x.com"));
  });
});

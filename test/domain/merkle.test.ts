// The Merkle tree against OpenZeppelin's own library: identical roots, leaves and proofs at every size.
import { describe, expect, it } from "vitest";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { buildTree, leafHash, processProof, toHex32, verifyProof, type Hex32 } from "../../src/domain/merkle";

const hashes = (n: number, salt = "t"): Hex32[] =>
  Array.from({ length: n }, (_, i) => `0x${bytesToHex(sha256(new TextEncoder().encode(`${salt}-${i}`)))}` as Hex32);

describe("buildTree matches @openzeppelin/merkle-tree StandardMerkleTree(['bytes32'])", () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 257]) {
    it(`${n} leaves: same root, leaf and proof for every value`, () => {
      const values = hashes(n, `n${n}`);
      const ours = buildTree(values);
      const oz = StandardMerkleTree.of(
        values.map((v) => [v]),
        ["bytes32"],
      );
      expect(ours.root).toBe(oz.root);
      expect(ours.size).toBe(n);
      for (const [i, [value]] of oz.entries()) {
        expect(ours.proofOf(value as Hex32)).toEqual(oz.getProof(i));
        expect(ours.leafOf(value as Hex32)).toBe(oz.leafHash([value!]));
        expect(StandardMerkleTree.verify(ours.root, ["bytes32"], [value], ours.proofOf(value as Hex32))).toBe(true);
        expect(verifyProof(oz.root, value as string, oz.getProof(i))).toBe(true);
      }
    });
  }

  it("a value queued twice is one leaf, so both records share one proof", () => {
    const [a, b, c] = hashes(3, "dup");
    const tree = buildTree([a!, b!, a!, c!]);
    expect(tree.size).toBe(3);
    expect(tree.root).toBe(StandardMerkleTree.of([[a], [b], [c]], ["bytes32"]).root);
  });

  it("accepts upper-case and unprefixed hex as the same value", () => {
    const [a, b] = hashes(2, "case");
    const tree = buildTree([a!, b!]);
    expect(tree.proofOf(a!.slice(2).toUpperCase() as Hex32)).toEqual(tree.proofOf(a!));
    expect(toHex32(a!.toUpperCase().replace("0X", "0x"))).toBe(a);
  });
});

describe("verifyProof", () => {
  const values = hashes(50, "v");
  const tree = buildTree(values);
  const value = values[17]!;
  const path = tree.proofOf(value);

  it("accepts the proof of a member", () => {
    expect(verifyProof(tree.root, value, path)).toBe(true);
    expect(processProof(leafHash(value), path)).toBe(tree.root);
  });

  it("rejects another value, a tampered path, a wrong root and malformed hex", () => {
    expect(verifyProof(tree.root, values[18]!, path)).toBe(false);
    const tampered = [...path];
    tampered[0] = `0x${"00".repeat(32)}`;
    expect(verifyProof(tree.root, value, tampered)).toBe(false);
    expect(verifyProof(values[0]!, value, path)).toBe(false);
    expect(verifyProof(tree.root, "0x1234", path)).toBe(false);
    expect(verifyProof(tree.root, value, [...path, "nothex"])).toBe(false);
  });

  it("refuses an empty tree and values that are not 32 bytes", () => {
    expect(() => buildTree([])).toThrow();
    expect(() => buildTree(["0xabcd" as Hex32])).toThrow();
    expect(() => tree.proofOf(hashes(1, "absent")[0]!)).toThrow();
  });
});

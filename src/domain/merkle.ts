// OpenZeppelin StandardMerkleTree (leaf type ["bytes32"]) as pure code: the same leaves, layout, roots and proofs
// as @openzeppelin/merkle-tree, so any OZ-compatible verifier (JS or MerkleProof.sol) checks our anchors.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/** A 32-byte value as 0x-prefixed lowercase hex. */
export type Hex32 = `0x${string}`;

const HEX32 = /^0x[0-9a-f]{64}$/;

export function isHex32(value: string): value is Hex32 {
  return HEX32.test(value);
}

/** Lowercases and 0x-prefixes a 32-byte hex string; throws on anything else. */
export function toHex32(value: string): Hex32 {
  const normalized = (
    value.startsWith("0x") || value.startsWith("0X") ? `0x${value.slice(2)}` : `0x${value}`
  ).toLowerCase();
  if (!isHex32(normalized)) throw new Error("expected 32 bytes of hex");
  return normalized;
}

const hex = (bytes: Uint8Array): Hex32 => `0x${bytesToHex(bytes)}`;
const bytes32 = (value: Hex32): Uint8Array => hexToBytes(toHex32(value).slice(2));

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** keccak256(keccak256(abi.encode(bytes32 value))); abi.encode of one bytes32 is the 32 bytes themselves. */
export function leafHashBytes(value: Uint8Array): Uint8Array {
  return keccak_256(keccak_256(value));
}

export function leafHash(value: Hex32): Hex32 {
  return hex(leafHashBytes(bytes32(value)));
}

// One scratch buffer for the 64-byte node preimage keeps the hot loop free of allocations but the digest.
const pair = new Uint8Array(64);

/** keccak256 of the two children in ascending byte order (OZ's commutative node hash). */
function nodeHashBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (compareBytes(a, b) <= 0) {
    pair.set(a, 0);
    pair.set(b, 32);
  } else {
    pair.set(b, 0);
    pair.set(a, 32);
  }
  return keccak_256(pair);
}

export interface MerkleTree {
  readonly root: Hex32;
  /** Distinct values in the tree (a value queued twice is one leaf). */
  readonly size: number;
  has(value: Hex32): boolean;
  leafOf(value: Hex32): Hex32;
  /** Sibling path from the leaf up to (excluding) the root, exactly as OZ's `getProof`. */
  proofOf(value: Hex32): Hex32[];
}

/**
 * Builds the tree like OZ's `StandardMerkleTree.of(values.map(v => [v]), ["bytes32"])` with its default
 * `sortLeaves: true`: leaves sorted by hash, stored at the END of a heap-ordered array (node i has children
 * 2i+1, 2i+2), the first sorted leaf at the last slot. Nodes live in one flat buffer to keep 100k leaves cheap.
 */
export function buildTree(values: readonly Hex32[]): MerkleTree {
  const distinct = [...new Set(values.map(toHex32))];
  if (distinct.length === 0) throw new Error("a Merkle tree needs at least one value");

  const hashed = distinct.map((value) => ({ value, leaf: leafHashBytes(hexToBytes(value.slice(2))) }));
  hashed.sort((a, b) => compareBytes(a.leaf, b.leaf));

  const n = hashed.length;
  const length = 2 * n - 1;
  const nodes = new Uint8Array(length * 32);
  const node = (i: number) => nodes.subarray(i * 32, i * 32 + 32);
  const indexOf = new Map<Hex32, number>();
  hashed.forEach(({ value, leaf }, i) => {
    const at = length - 1 - i;
    nodes.set(leaf, at * 32);
    indexOf.set(value, at);
  });
  for (let i = length - 1 - n; i >= 0; i--) {
    nodes.set(nodeHashBytes(node(2 * i + 1), node(2 * i + 2)), i * 32);
  }

  // Hex of each node computed once, on demand: proofs of every leaf share most of their upper siblings.
  const hexOf: (Hex32 | undefined)[] = new Array(length);
  const nodeHex = (i: number): Hex32 => (hexOf[i] ??= hex(node(i)));

  const treeIndex = (value: Hex32): number => {
    const at = indexOf.get(toHex32(value));
    if (at === undefined) throw new Error("value is not in the tree");
    return at;
  };

  return {
    root: nodeHex(0),
    size: n,
    has: (value) => indexOf.has(toHex32(value)),
    leafOf: (value) => nodeHex(treeIndex(value)),
    proofOf: (value) => {
      const path: Hex32[] = [];
      for (let i = treeIndex(value); i > 0; i = Math.floor((i - 1) / 2)) {
        // The sibling of an odd (left) index is the next slot, of an even (right) index the previous one.
        path.push(nodeHex(i % 2 === 1 ? i + 1 : i - 1));
      }
      return path;
    },
  };
}

/** Folds a sibling path onto a leaf hash (OZ `processProof` / Solidity `MerkleProof.processProof`). */
export function processProof(leaf: Hex32, path: readonly Hex32[]): Hex32 {
  let acc = bytes32(leaf);
  for (const sibling of path) acc = nodeHashBytes(acc, bytes32(sibling));
  return hex(acc);
}

/** True when `value` (the anchored 32-byte hash) is proven under `root` by `path`; never throws on bad input. */
export function verifyProof(root: string, value: string, path: readonly string[]): boolean {
  try {
    const steps = path.map(toHex32);
    return processProof(leafHash(toHex32(value)), steps) === toHex32(root);
  } catch {
    return false;
  }
}

// Building a 100,000-leaf anchoring batch inside workerd (the runtime that runs the cron): the size must hold there.
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { buildTree, type Hex32 } from "../../src/domain/merkle";

const hashes = (n: number, salt = "t"): Hex32[] =>
  Array.from({ length: n }, (_, i) => `0x${bytesToHex(sha256(new TextEncoder().encode(`${salt}-${i}`)))}` as Hex32);

describe("build time inside workerd", () => {
  // CPU-bound for ~10 s on a quiet core: the default 30 s is too tight when the machine is shared.
  it("builds 100,000 leaves well within the Worker CPU limit", { timeout: 120_000 }, () => {
    const values = hashes(100_000, "bench");
    for (const n of [1_000, 10_000, 100_000]) {
      const started = performance.now();
      const tree = buildTree(values.slice(0, n));
      tree.proofOf(values[0]!);
      const ms = performance.now() - started;
      console.log(`merkle build ${n} leaves: ${ms.toFixed(0)} ms (workerd)`);
      expect(tree.size).toBe(n);
    }
  });
});

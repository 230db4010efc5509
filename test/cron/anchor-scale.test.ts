// A large batch inside workerd: queued records → one tree, every proof stored in D1, one transaction; timed.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { anchorBatch } from "../../src/cron/anchor-batch";
import { ANVIL_KEYS, anvilNode } from "../helpers/anchor-chain";

// A node whose chain id no other file queues records for: the batch below takes every pending record of its chain,
// and earlier files (or their queue jobs still running) leave records pending on the shared chain.
const { chainEnv, network, rpc } = anvilNode("scale");

// 10k keeps the suite quick; the same test at 100,000 passed too (see the anchoring section of the README for timings).
const SIZE = 10_000;

describe(`a batch of ${SIZE.toLocaleString("en")} records`, () => {
  it("is built, stored and sent in one run, and any record's stored proof verifies with OpenZeppelin", async () => {
    const now = new Date().toISOString();
    const { name, chainId } = network();
    // Queued straight in SQL (enqueueAnchor's one-by-one inserts would dominate the test's time).
    await env.DB.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
       INSERT INTO anchor_records (id, kind, hash, contract_id, network, chain_id, status, created_at, updated_at)
       SELECT 'anc_scale' || i, 'document', '0x' || lower(hex(randomblob(32))), 'ctr_scale' || i, ?, ?, 'pending', ?, ? FROM seq`,
    )
      .bind(SIZE, name, chainId, now, now)
      .run();

    const started = performance.now();
    const [outcome] = await anchorBatch(chainEnv({ ANCHOR_PRIVATE_KEY: ANVIL_KEYS.nine }), new Date());
    const elapsed = performance.now() - started;
    console.log(
      `anchor batch of ${SIZE} records (tree + ${SIZE} proofs written to D1 + tx): ${elapsed.toFixed(0)} ms in workerd`,
    );

    const batch = outcome!.batch!;
    expect(batch).toMatchObject({ recordCount: SIZE, size: SIZE, status: "mined" });
    expect((await rpc("eth_getTransactionByHash", [batch.txHash])).input).toBe(batch.root);
    // Every record of this chain (the shared database holds other files' records on theirs).
    const missing = await env.DB.prepare(
      "SELECT count(*) AS n FROM anchor_records WHERE chain_id = ? AND (proof IS NULL OR root IS NOT ?)",
    )
      .bind(chainId, batch.root)
      .first<{ n: number }>();
    expect(missing!.n).toBe(0);
    const { results } = await env.DB.prepare(
      "SELECT hash, proof, root FROM anchor_records WHERE chain_id = ? ORDER BY random() LIMIT 25",
    )
      .bind(chainId)
      .all<{ hash: string; proof: string; root: string }>();
    for (const r of results)
      expect(StandardMerkleTree.verify(r.root, ["bytes32"], [r.hash], JSON.parse(r.proof))).toBe(true);
  }, 120_000);
});

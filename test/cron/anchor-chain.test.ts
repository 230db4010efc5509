// Anchoring end to end on the real Anvil: batch → one transaction whose input is the root → confirmations,
// proofs checked by our verifier and OpenZeppelin's; reorg → re-anchored later; stuck tx → replaced; RPC down → pending.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { enqueueAnchor, enqueueAnchorStatements } from "../../src/lib/anchoring";
import { anchorBatch } from "../../src/cron/anchor-batch";
import { anchorConfirm } from "../../src/cron/anchor-confirm";
import { checkHealth } from "../../src/lib/health-checks";
import { runScheduled } from "../../src/cron";
import { verifyProof, type Hex32 } from "../../src/domain/merkle";
import { newId } from "../../src/lib/ids";
import { chainClient, isTransportError } from "../../src/lib/chain";
import { anvilNode } from "../helpers/anchor-chain";

// This file reverts snapshots and stops automine: it gets an Anvil of its own, whose chain id also keeps its records
// out of other files' batches (and theirs out of its own) in the shared database.
const { chainEnv, mine, network, rpc } = anvilNode("isolated");

const hashOf = (text: string) => `0x${bytesToHex(sha256(utf8ToBytes(text)))}` as Hex32;

interface RecordRow {
  id: string;
  hash: string;
  status: string;
  batch_id: string | null;
  leaf: string | null;
  proof: string | null;
  root: string | null;
  tx_hash: string | null;
  block_number: number | null;
  confirmations: number;
  attempts: number;
}

async function recordsOf(ids: string[]): Promise<RecordRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT * FROM anchor_records WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
  )
    .bind(JSON.stringify(ids))
    .all<RecordRow>();
  return results;
}

async function batchRow(id: string) {
  return env.DB.prepare("SELECT * FROM anchor_batches WHERE id = ?").bind(id).first<Record<string, any>>();
}

/** Queues n records (every tenth for another contract with the previous record's hash) and returns their ids. */
async function queue(n: number, salt: string, e = chainEnv()) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const hash = hashOf(`${salt}-${i % 10 === 9 ? i - 1 : i}`);
    const rows = await enqueueAnchor(e, { kind: i % 2 ? "execution" : "document", hash, contractId: newId("ctr") });
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

describe("anchoring a batch on Anvil", () => {
  it("anchors a few hundred records in ONE transaction whose input is the root, then confirms them", async () => {
    const e = chainEnv();
    const ids = await queue(300, "batch");
    expect(ids).toHaveLength(300);

    const [outcome] = await anchorBatch(e, new Date());
    expect(outcome?.batch).toBeTruthy();
    const batch = outcome!.batch!;
    expect(batch.recordCount).toBe(300);
    expect(batch.size).toBeGreaterThan(250); // some records share a hash, so fewer distinct leaves
    expect(batch.status).toBe("mined"); // Anvil mines on receipt; the batch task reads the block at once

    // The transaction on chain: 0 value, to ourselves, input exactly the 32-byte root.
    const tx = await rpc("eth_getTransactionByHash", [batch.txHash]);
    expect(tx.input).toBe(batch.root);
    expect(BigInt(tx.value)).toBe(0n);
    expect(tx.to.toLowerCase()).toBe(tx.from.toLowerCase());
    const receipt = await rpc("eth_getTransactionReceipt", [batch.txHash]);
    expect(receipt.status).toBe("0x1");
    expect(Number(receipt.blockNumber)).toBe(batch.minedBlock);
    expect(batch.gasUsed).toBe(String(BigInt(receipt.gasUsed)));

    let rows = await recordsOf(ids);
    expect(rows.every((r) => r.status === "anchored" && r.batch_id === batch.id && r.tx_hash === batch.txHash)).toBe(
      true,
    );
    expect(new Set(rows.map((r) => r.root))).toEqual(new Set([batch.root]));
    for (const r of rows) {
      const proof = JSON.parse(r.proof!) as string[];
      expect(verifyProof(r.root!, r.hash, proof)).toBe(true);
      expect(StandardMerkleTree.verify(r.root!, ["bytes32"], [r.hash], proof)).toBe(true);
    }

    // Confirmations are counted by later passes: 2 needed on the test network.
    await mine(1);
    await anchorConfirm(e, new Date());
    rows = await recordsOf(ids);
    expect(rows.every((r) => r.status === "confirmed" && r.confirmations >= 2)).toBe(true);
    expect((await batchRow(batch.id))?.status).toBe("confirmed");
  });

  it("queues a hash once per (kind, contract, hash): enqueueing again returns the same record", async () => {
    const contractId = newId("ctr");
    const hash = hashOf("idempotent");
    const first = await enqueueAnchor(env, { kind: "document", hash, contractId });
    const again = await enqueueAnchor(env, { kind: "document", hash: hash.slice(2).toUpperCase(), contractId });
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    const other = await enqueueAnchor(env, { kind: "execution", hash, contractId });
    expect(other[0]!.id).not.toBe(first[0]!.id);
    // The outbox form: the same rows, and running the statements twice (an outbox retry) changes nothing.
    const viaOutbox = { kind: "document" as const, hash: hashOf("outbox"), contractId };
    for (let i = 0; i < 2; i++) {
      await env.DB.batch(enqueueAnchorStatements(env, viaOutbox).map((s) => env.DB.prepare(s.sql).bind(...s.params)));
    }
    const queued = await enqueueAnchor(env, viaOutbox);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ status: "pending", hash: viaOutbox.hash, network: "anvil", chainId: 31337 });
    await expect(enqueueAnchor(env, { kind: "document", hash: "0x1234", contractId })).rejects.toThrow(TypeError);
    await expect(enqueueAnchor(env, { kind: "document", hash, contractId: "nope" })).rejects.toThrow(TypeError);
  });

  it("puts the records of a transaction lost in a reorg into a later batch", async () => {
    const e = chainEnv();
    // Anchor everything already queued first, so the reorg below only concerns this test's records.
    await anchorBatch(e, new Date());
    const ids = await queue(5, "reorg");
    // Anvil is shared by every test file: keep the snapshot → revert window to this one batch.
    const snapshot = await rpc<string>("evm_snapshot");
    const [first] = await anchorBatch(e, new Date());
    await rpc("evm_revert", [snapshot]); // the block holding the transaction is gone
    const lost = first!.batch!;
    expect(lost.status).toBe("mined");
    expect((await recordsOf(ids)).every((r) => r.status === "anchored")).toBe(true);
    expect(await rpc("eth_getTransactionByHash", [lost.txHash])).toBeNull();

    await anchorConfirm(e, new Date());
    expect((await batchRow(lost.id))?.status).toBe("dropped");
    let rows = await recordsOf(ids);
    expect(
      rows.every((r) => r.status === "pending" && r.batch_id === null && r.proof === null && r.attempts === 1),
    ).toBe(true);

    const [second] = await anchorBatch(e, new Date());
    const again = second!.batch!;
    expect(again.id).not.toBe(lost.id);
    expect(again.status).toBe("mined");
    expect((await rpc("eth_getTransactionByHash", [again.txHash])).input).toBe(again.root);
    await mine(1);
    await anchorConfirm(e, new Date());
    rows = await recordsOf(ids);
    for (const r of rows) {
      expect(r).toMatchObject({ status: "confirmed", batch_id: again.id, tx_hash: again.txHash });
      expect(StandardMerkleTree.verify(r.root!, ["bytes32"], [r.hash], JSON.parse(r.proof!))).toBe(true);
    }
  });

  it("keeps the batch and its proofs when a reorg puts the transaction back into the pool", async () => {
    const e = chainEnv();
    await anchorBatch(e, new Date());
    const ids = await queue(3, "repool");
    const snapshot = await rpc<string>("evm_snapshot");
    const [outcome] = await anchorBatch(e, new Date());
    const raw = await rpc<string>("eth_getRawTransactionByHash", [outcome!.batch!.txHash]);
    await rpc("evm_revert", [snapshot]);
    const batch = outcome!.batch!;
    expect(batch.status).toBe("mined");
    const proofsBefore = (await recordsOf(ids)).map((r) => r.proof);
    await rpc("evm_setAutomine", [false]);
    try {
      expect(await rpc("eth_sendRawTransaction", [raw])).toBe(batch.txHash); // the same transaction, pending again
      await anchorConfirm(e, new Date());
      expect((await batchRow(batch.id))?.status).toBe("sent");
      const rows = await recordsOf(ids);
      expect(rows.every((r) => r.status === "pending" && r.batch_id === batch.id && r.tx_hash === null)).toBe(true);
      expect(rows.map((r) => r.proof)).toEqual(proofsBefore);
      await mine(1);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    await anchorConfirm(e, new Date());
    const rows = await recordsOf(ids);
    expect(rows.every((r) => r.status === "anchored" && r.batch_id === batch.id && r.tx_hash === batch.txHash)).toBe(
      true,
    );
    expect(rows.map((r) => r.proof)).toEqual(proofsBefore);
  });

  it("re-sends a stuck transaction with the same nonce and higher fees; the replacement anchors the records", async () => {
    const e = chainEnv();
    await anchorBatch(e, new Date());
    const ids = await queue(3, "stuck");
    await rpc("evm_setAutomine", [false]);
    try {
      const [outcome] = await anchorBatch(e, new Date());
      const sent = outcome!.batch!;
      expect(sent.status).toBe("sent");

      // Not stuck yet: nothing happens.
      await anchorConfirm(e, new Date());
      expect((await batchRow(sent.id))?.tx_hash).toBe(sent.txHash);

      // Ten minutes later it still sits in the pool: replaced (same nonce, higher fees).
      await anchorConfirm(e, new Date(Date.now() + 11 * 60_000));
      const replaced = (await batchRow(sent.id))!;
      expect(replaced.tx_hash).not.toBe(sent.txHash);
      expect(JSON.parse(replaced.replaced_tx_hashes)).toEqual([sent.txHash]);
      expect(BigInt(replaced.max_fee_per_gas)).toBeGreaterThan(BigInt(sent.maxFeePerGas!));
      const pending = await rpc("eth_getTransactionByHash", [replaced.tx_hash]);
      expect(Number(pending.nonce)).toBe(sent.nonce);
      expect(pending.input).toBe(sent.root);

      await mine(1);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    await anchorConfirm(e, new Date());
    const mined = (await batchRow((await recordsOf(ids))[0]!.batch_id!))!;
    expect(mined.status).toBe("mined");
    const rows = await recordsOf(ids);
    expect(rows.every((r) => r.status === "anchored" && r.tx_hash === mined.tx_hash)).toBe(true);
    expect((await rpc("eth_getTransactionReceipt", [mined.tx_hash])).status).toBe("0x1");
  });
});

describe("the */5 schedule", () => {
  it("confirms open batches and anchors what is pending", async () => {
    const e = chainEnv();
    await anchorBatch(e, new Date());
    const ids = await queue(2, "cron");
    const controller = createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() });
    await runScheduled(controller, e, createExecutionContext());
    const rows = await recordsOf(ids);
    expect(rows.every((r) => r.status === "anchored" && r.tx_hash !== null)).toBe(true);
    await mine(1);
    await runScheduled(controller, e, createExecutionContext());
    expect((await recordsOf(ids)).every((r) => r.status === "confirmed")).toBe(true);
  });
});

describe("an anchor network whose RPC is down", () => {
  const offline = JSON.stringify([{ name: "offline", chainId: 31399, rpcUrl: "http://127.0.0.1:9", confirmations: 2 }]);

  it("leaves records pending and unclaimed, and health reports the chain degraded", async () => {
    const e = chainEnv({ ANCHOR_NETWORKS: offline });
    const ids = await queue(4, "offline", e);
    const [outcome] = await anchorBatch(e, new Date());
    expect(outcome).toMatchObject({ network: "offline", batch: null, skipped: "rpc_unavailable" });
    const rows = await recordsOf(ids);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === "pending" && r.batch_id === null && r.attempts === 0)).toBe(true);

    await anchorConfirm(e, new Date());
    expect((await recordsOf(ids)).every((r) => r.status === "pending")).toBe(true);

    const health = await checkHealth(e);
    expect(health.status).toBe("degraded");
    expect(health.services.chain.status).toBe("down");
  });

  it("keeps a sent batch as it is while the RPC is down, and settles it once the RPC is back", async () => {
    const up = chainEnv();
    await anchorBatch(up, new Date());
    const ids = await queue(2, "outage");
    await rpc("evm_setAutomine", [false]);
    let batchId: string;
    try {
      const [outcome] = await anchorBatch(up, new Date());
      batchId = outcome!.batch!.id;
      expect(outcome!.batch!.status).toBe("sent");
      await mine(1);
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    // The same chain reached through a dead URL: nothing changes, nothing is lost.
    const down = chainEnv({
      ANCHOR_NETWORKS: JSON.stringify([{ ...network(), rpcUrl: "http://127.0.0.1:9", confirmations: 2 }]),
    });
    await anchorConfirm(down, new Date(Date.now() + 60 * 60_000));
    expect((await batchRow(batchId))?.status).toBe("sent");
    expect((await recordsOf(ids)).every((r) => r.status === "pending" && r.batch_id === batchId)).toBe(true);

    await anchorConfirm(up, new Date());
    expect((await batchRow(batchId))?.status).toBe("mined");
    expect((await recordsOf(ids)).every((r) => r.status === "anchored")).toBe(true);
  });
});

describe("telling an unknown broadcast outcome from a refusal", () => {
  it("a dead RPC is a transport error (the tx may have left); a node's refusal is not", async () => {
    const dead = chainClient({ name: "dead", chainId: 31337, rpcUrl: "http://127.0.0.1:9", confirmations: 1 }, 1000);
    const refused = chainClient({ ...network(), confirmations: 1 });
    const garbage = { serializedTransaction: "0x02c0" as const };
    const err1 = await dead.sendRawTransaction(garbage).catch((e) => e);
    const err2 = await refused.sendRawTransaction(garbage).catch((e) => e);
    expect(isTransportError(err1)).toBe(true);
    expect(err2).toBeInstanceOf(Error);
    expect(isTransportError(err2)).toBe(false);
  });
});

// Anchoring queries: queueing records, claiming them into a batch, writing proofs in bulk, and the batch/record
// state changes the cron tasks make. Multi-row changes go through D1 batch() so each step is atomic.
import { and, asc, count, desc, eq, inArray, or } from "drizzle-orm";
import { db } from "./client";
import { chunkForStatement, chunkRows, selectInChunks } from "./chunks";
import { anchorBatches, anchorRecords, type AnchorKind, type BatchStatus } from "./schema/anchoring";
import { MAX_ANCHOR_ATTEMPTS } from "../domain/anchor-rules";
import type { Hex32 } from "../domain/merkle";

export type AnchorRecordRow = typeof anchorRecords.$inferSelect;
export type AnchorBatchRow = typeof anchorBatches.$inferSelect;

/** Upper bound on records per batch: 100k builds in ~1.5 s of CPU (see bench) and keeps one batch's writes sane. */
export const MAX_BATCH_RECORDS = 100_000;

const STATEMENTS_PER_BATCH = 20;

export interface AnchorKey {
  kind: AnchorKind;
  hash: Hex32;
  contractId: string;
  /** An execution record's executed PDF hash (not part of the key's uniqueness). */
  executedDocumentHash?: Hex32 | null;
}

/**
 * Queues one record per network for (kind, contract, hash) unless already queued (the unique index makes this
 * idempotent) and returns the rows as stored, new or old.
 */
export async function insertAnchorRecords(
  d1: D1Database,
  key: AnchorKey,
  networks: { name: string; chainId: number; id: string }[],
  now: string,
): Promise<AnchorRecordRow[]> {
  if (networks.length === 0) return [];
  const database = db(d1);
  const rows = networks.map((n) => ({
    ...key,
    id: n.id,
    network: n.name,
    chainId: n.chainId,
    status: "pending" as const,
    createdAt: now,
    updatedAt: now,
  }));
  const [first, ...rest] = chunkRows(anchorRecords, rows).map((chunk) =>
    database.insert(anchorRecords).values(chunk).onConflictDoNothing(),
  );
  if (first) await database.batch([first, ...rest]);
  const stored = await selectInChunks(
    networks.map((n) => n.chainId),
    (chunk) =>
      database
        .select()
        .from(anchorRecords)
        .where(
          and(
            eq(anchorRecords.kind, key.kind),
            eq(anchorRecords.contractId, key.contractId),
            eq(anchorRecords.hash, key.hash),
            inArray(anchorRecords.chainId, chunk),
          ),
        )
        .all(),
    { fixed: 3 },
  );
  return stored.sort((a, b) => a.chainId - b.chainId);
}

export async function hasUnclaimed(d1: D1Database, chainId: number): Promise<boolean> {
  const row = await d1
    .prepare("SELECT 1 AS x FROM anchor_records WHERE chain_id = ? AND status = 'pending' AND batch_id IS NULL LIMIT 1")
    .bind(chainId)
    .first();
  return row !== null;
}

export interface NewBatch {
  id: string;
  network: string;
  chainId: number;
  fromAddress: string;
  toAddress: string;
  nonce: number;
  gasLimit: string;
  createdAt: string;
}

/**
 * Creates the batch and claims up to MAX_BATCH_RECORDS unclaimed pending records of its chain in one atomic step:
 * a record is in at most one open batch because the claim only takes rows whose batch_id is still null.
 * Returns the number of records claimed (0 → the batch row is removed again).
 */
export async function createBatchAndClaim(d1: D1Database, batch: NewBatch): Promise<number> {
  const [, claim] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO anchor_batches (id, network, chain_id, status, from_address, to_address, nonce, gas_limit, created_at, updated_at)
         VALUES (?, ?, ?, 'building', ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        batch.id,
        batch.network,
        batch.chainId,
        batch.fromAddress,
        batch.toAddress,
        batch.nonce,
        batch.gasLimit,
        batch.createdAt,
        batch.createdAt,
      ),
    d1
      .prepare(
        `UPDATE anchor_records SET batch_id = ?, updated_at = ?
         WHERE id IN (SELECT id FROM anchor_records WHERE chain_id = ? AND status = 'pending' AND batch_id IS NULL
                      ORDER BY created_at, id LIMIT ?)`,
      )
      .bind(batch.id, batch.createdAt, batch.chainId, MAX_BATCH_RECORDS),
  ]);
  const claimed = claim?.meta.changes ?? 0;
  if (claimed === 0) await d1.prepare("DELETE FROM anchor_batches WHERE id = ?").bind(batch.id).run();
  return claimed;
}

export async function claimedHashes(d1: D1Database, batchId: string): Promise<Hex32[]> {
  const { results } = await d1
    .prepare("SELECT DISTINCT hash FROM anchor_records WHERE batch_id = ?")
    .bind(batchId)
    .all<{ hash: Hex32 }>();
  return results.map((r) => r.hash);
}

export interface ProofEntry {
  hash: Hex32;
  leaf: Hex32;
  proof: Hex32[];
}

export interface SentBatch {
  root: Hex32;
  size: number;
  recordCount: number;
  txHash: Hex32;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string | null;
  sentAt: string;
}

/**
 * Writes every claimed record's leaf, path and root (records sharing a hash share one entry), then marks the
 * batch sent with its transaction hash — in that order, so a batch marked sent always has complete proofs.
 */
export async function storeProofsAndMarkSent(d1: D1Database, batchId: string, entries: ProofEntry[], sent: SentBatch) {
  // The unary + keeps SQLite from driving the join by batch_id (D1 has no ANALYZE statistics, and that plan scans
  // the whole batch once per JSON entry: minutes at 100k); it walks the 50 entries and looks each hash up instead.
  const statements: D1PreparedStatement[] = [];
  // One JSON parameter per statement: the chunks are cut by size (a proof entry of a 100k tree is ~1.4 KB).
  const compact = entries.map((e) => ({ h: e.hash, l: e.leaf, p: e.proof }));
  for (const chunk of chunkForStatement(compact, { perItem: 0, fixed: 4, fixedBytes: 1_000 })) {
    statements.push(
      d1
        .prepare(
          `UPDATE anchor_records SET leaf = json_extract(j.value, '$.l'), proof = json_extract(j.value, '$.p'), root = ?, updated_at = ?
           FROM json_each(?) AS j
           WHERE +anchor_records.batch_id = ? AND anchor_records.hash = json_extract(j.value, '$.h')`,
        )
        .bind(sent.root, sent.sentAt, JSON.stringify(chunk), batchId),
    );
  }
  statements.push(
    d1
      .prepare(
        `UPDATE anchor_batches SET status = 'sent', root = ?, size = ?, record_count = ?, tx_hash = ?, max_fee_per_gas = ?,
           max_priority_fee_per_gas = ?, sent_at = ?, updated_at = ? WHERE id = ? AND status = 'building'`,
      )
      .bind(
        sent.root,
        sent.size,
        sent.recordCount,
        sent.txHash,
        sent.maxFeePerGas,
        sent.maxPriorityFeePerGas,
        sent.sentAt,
        sent.sentAt,
        batchId,
      ),
  );
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    await d1.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
  }
}

/**
 * Ends a batch whose transaction is lost (dropped/failed) and hands its records back to the queue, clearing the
 * proofs that no longer hold. `countAttempt`: whether the loss counts towards MAX_ANCHOR_ATTEMPTS (a refused
 * broadcast does not: the chain never saw it, e.g. the account is out of funds until someone tops it up).
 */
export async function endBatchAndRelease(
  d1: D1Database,
  batchId: string,
  status: Extract<BatchStatus, "dropped" | "failed">,
  reason: string,
  now: string,
  countAttempt: boolean,
) {
  const add = countAttempt ? 1 : 0;
  await d1.batch([
    d1
      .prepare("UPDATE anchor_batches SET status = ?, error = ?, updated_at = ? WHERE id = ?")
      .bind(status, reason.slice(0, 300), now, batchId),
    d1
      .prepare(
        `UPDATE anchor_records SET status = CASE WHEN attempts + ? >= ? THEN 'failed' ELSE 'pending' END,
           attempts = attempts + ?, batch_id = NULL, leaf = NULL, proof = NULL, root = NULL, tx_hash = NULL,
           block_number = NULL, confirmations = 0, anchored_at = NULL, confirmed_at = NULL, updated_at = ?
         WHERE batch_id = ?`,
      )
      .bind(add, MAX_ANCHOR_ATTEMPTS, add, now, batchId),
  ]);
}

/** Batches left in `building` by a run that died before sending; their records go back to the queue. */
export async function staleBuildingBatches(d1: D1Database, chainId: number, createdBefore: string) {
  const { results } = await d1
    .prepare("SELECT id FROM anchor_batches WHERE chain_id = ? AND status = 'building' AND created_at < ?")
    .bind(chainId, createdBefore)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** A batch re-signed with another nonce before any version of it reached the chain. */
export async function setBatchTransaction(
  d1: D1Database,
  batchId: string,
  tx: { nonce: number; txHash: Hex32; at: string },
) {
  await db(d1)
    .update(anchorBatches)
    .set({ nonce: tx.nonce, txHash: tx.txHash, updatedAt: tx.at })
    .where(eq(anchorBatches.id, batchId));
}

export function openBatches(d1: D1Database, chainId: number): Promise<AnchorBatchRow[]> {
  return db(d1)
    .select()
    .from(anchorBatches)
    .where(and(eq(anchorBatches.chainId, chainId), inArray(anchorBatches.status, ["sent", "mined"])))
    .orderBy(asc(anchorBatches.createdAt))
    .all();
}

export function findBatch(d1: D1Database, batchId: string) {
  return db(d1).select().from(anchorBatches).where(eq(anchorBatches.id, batchId)).get();
}

export interface Replacement {
  txHash: Hex32;
  replacedTxHashes: string[];
  maxFeePerGas: string;
  maxPriorityFeePerGas: string | null;
  sentAt: string;
}

export async function recordReplacement(d1: D1Database, batchId: string, r: Replacement) {
  await db(d1)
    .update(anchorBatches)
    .set({
      txHash: r.txHash,
      replacedTxHashes: JSON.stringify(r.replacedTxHashes),
      maxFeePerGas: r.maxFeePerGas,
      maxPriorityFeePerGas: r.maxPriorityFeePerGas,
      sentAt: r.sentAt,
      updatedAt: r.sentAt,
    })
    .where(eq(anchorBatches.id, batchId));
}

export interface Inclusion {
  txHash: Hex32;
  blockNumber: number;
  blockHash: string;
  gasUsed: string;
  effectiveGasPrice: string;
  confirmations: number;
  confirmed: boolean;
  now: string;
}

/**
 * Records where the batch's transaction is (block, cost, confirmations) on the batch and all its records; the first
 * time it is seen in a block the records become `anchored`, past the threshold `confirmed`.
 */
export async function recordInclusion(d1: D1Database, batchId: string, inc: Inclusion) {
  const batchStatus = inc.confirmed ? "confirmed" : "mined";
  const recordStatus = inc.confirmed ? "confirmed" : "anchored";
  const confirmedAt = inc.confirmed ? inc.now : null;
  await d1.batch([
    d1
      .prepare(
        `UPDATE anchor_batches SET status = ?, tx_hash = ?, mined_block = ?, mined_block_hash = ?, gas_used = ?,
           effective_gas_price = ?, confirmations = ?, mined_at = COALESCE(mined_at, ?), confirmed_at = ?, updated_at = ?
         WHERE id = ?`,
      )
      .bind(
        batchStatus,
        inc.txHash,
        inc.blockNumber,
        inc.blockHash,
        inc.gasUsed,
        inc.effectiveGasPrice,
        inc.confirmations,
        inc.now,
        confirmedAt,
        inc.now,
        batchId,
      ),
    d1
      .prepare(
        `UPDATE anchor_records SET status = ?, tx_hash = ?, block_number = ?, confirmations = ?,
           anchored_at = COALESCE(anchored_at, ?), confirmed_at = ?, updated_at = ?
         WHERE batch_id = ?`,
      )
      .bind(recordStatus, inc.txHash, inc.blockNumber, inc.confirmations, inc.now, confirmedAt, inc.now, batchId),
  ]);
}

/** A mined batch whose transaction a reorg sent back to the pool: records wait again (their proofs stay valid). */
export async function returnToPool(d1: D1Database, batchId: string, now: string) {
  await d1.batch([
    d1
      .prepare(
        `UPDATE anchor_batches SET status = 'sent', mined_block = NULL, mined_block_hash = NULL, confirmations = 0, updated_at = ?
         WHERE id = ? AND status = 'mined'`,
      )
      .bind(now, batchId),
    d1
      .prepare(
        `UPDATE anchor_records SET status = 'pending', tx_hash = NULL, block_number = NULL, confirmations = 0, anchored_at = NULL,
           updated_at = ? WHERE batch_id = ?`,
      )
      .bind(now, batchId),
  ]);
}

/** Distinct contracts proven by a batch with their owners (null if not in the contracts projection), for anchor.* events. */
export async function batchContractOwners(
  d1: D1Database,
  batchId: string,
): Promise<{ contractId: string; ownerId: string | null }[]> {
  const { results } = await d1
    .prepare(
      `SELECT DISTINCT r.contract_id AS contractId, c.owner_id AS ownerId
       FROM anchor_records r LEFT JOIN contracts c ON c.id = r.contract_id
       WHERE r.batch_id = ? ORDER BY r.contract_id`,
    )
    .bind(batchId)
    .all<{ contractId: string; ownerId: string | null }>();
  return results;
}

export function recordsOfContract(d1: D1Database, contractId: string) {
  return db(d1)
    .select()
    .from(anchorRecords)
    .where(eq(anchorRecords.contractId, contractId))
    .orderBy(asc(anchorRecords.createdAt), asc(anchorRecords.chainId))
    .all();
}

/**
 * Records of a hash — anchored as itself, or the execution records that commit to it as their executed PDF — bounded:
 * a hash shared by thousands of contracts is answered with the first ones.
 */
export function recordsByHash(d1: D1Database, hash: Hex32, limit = 50) {
  return db(d1)
    .select()
    .from(anchorRecords)
    .where(or(eq(anchorRecords.hash, hash), eq(anchorRecords.executedDocumentHash, hash)))
    .orderBy(asc(anchorRecords.createdAt), asc(anchorRecords.id))
    .limit(limit)
    .all();
}

export async function listBatches(d1: D1Database, limit: number, offset: number, status?: BatchStatus) {
  const database = db(d1);
  const where = status ? eq(anchorBatches.status, status) : undefined;
  const [rows, total] = await Promise.all([
    database
      .select()
      .from(anchorBatches)
      .where(where)
      .orderBy(desc(anchorBatches.createdAt), desc(anchorBatches.id))
      .limit(limit)
      .offset(offset)
      .all(),
    database.select({ n: count() }).from(anchorBatches).where(where).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

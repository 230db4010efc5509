// Anchoring tables: one record per (hash worth proving, network) and one batch per Merkle root sent to a network.
//
// Several networks: a record row exists per (kind, contract, hash, network), because status, transaction, block and
// confirmations differ per chain and a reorg on one chain must re-anchor only that chain's rows. Each network's
// pending rows are batched independently (when all networks see the same pending set their roots coincide).
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ANCHOR_KINDS = ["document", "execution"] as const;
export type AnchorKind = (typeof ANCHOR_KINDS)[number];

/** pending (queued, or in a batch whose tx is not mined yet) → anchored (in a block) → confirmed; failed after repeated losses. */
export const ANCHOR_STATUSES = ["pending", "anchored", "confirmed", "failed"] as const;
export type AnchorStatus = (typeof ANCHOR_STATUSES)[number];

/**
 * building (records claimed, tree being written) → sent (tx broadcast) → mined → confirmed;
 * dropped (the tx vanished: reorg or evicted) and failed (reverted, or the broadcast was refused) release their records.
 */
export const BATCH_STATUSES = ["building", "sent", "mined", "confirmed", "dropped", "failed"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const anchorRecords = sqliteTable(
  "anchor_records",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ANCHOR_KINDS }).notNull(),
    /** The anchored value: 0x + 64 lowercase hex (SHA-256 of the document, or the execution hash). */
    hash: text("hash").notNull(),
    contractId: text("contract_id").notNull(),
    /**
     * On an "execution" record: SHA-256 (0x + 64 lowercase hex) of the executed PDF its hash commits to
     * (escra-execution-v2), so /verify finds the record from the file; null on "document" and legacy v1 records.
     */
    executedDocumentHash: text("executed_document_hash"),
    network: text("network").notNull(),
    chainId: integer("chain_id").notNull(),
    status: text("status", { enum: ANCHOR_STATUSES }).notNull().default("pending"),
    /** Set when a batch claims the record; null while it waits for the next batch. */
    batchId: text("batch_id"),
    leaf: text("leaf"),
    /** JSON array of 0x-hex sibling hashes (OpenZeppelin `getProof` order). */
    proof: text("proof"),
    root: text("root"),
    txHash: text("tx_hash"),
    blockNumber: integer("block_number"),
    confirmations: integer("confirmations").notNull().default(0),
    /** Batches this record was in whose transaction was lost (dropped or reverted). */
    attempts: integer("attempts").notNull().default(0),
    createdAt: text("created_at").notNull(),
    anchoredAt: text("anchored_at"),
    confirmedAt: text("confirmed_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("anchor_records_uq").on(t.kind, t.contractId, t.hash, t.chainId),
    index("anchor_records_claim_idx").on(t.chainId, t.status, t.batchId),
    index("anchor_records_batch_idx").on(t.batchId, t.hash),
    index("anchor_records_hash_idx").on(t.hash),
    index("anchor_records_executed_idx").on(t.executedDocumentHash),
    index("anchor_records_contract_idx").on(t.contractId, t.createdAt),
    index("anchor_records_status_idx").on(t.status, t.network, t.createdAt),
  ],
);

export const anchorBatches = sqliteTable(
  "anchor_batches",
  {
    id: text("id").primaryKey(),
    network: text("network").notNull(),
    chainId: integer("chain_id").notNull(),
    status: text("status", { enum: BATCH_STATUSES }).notNull(),
    root: text("root"),
    /** Distinct leaves in the tree. */
    size: integer("size").notNull().default(0),
    /** Records proven by this root (several records may share one hash). */
    recordCount: integer("record_count").notNull().default(0),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    txHash: text("tx_hash"),
    /** JSON array of earlier hashes of the same nonce (fee-bumped replacements); any of them may be the one mined. */
    replacedTxHashes: text("replaced_tx_hashes").notNull().default("[]"),
    nonce: integer("nonce"),
    gasLimit: text("gas_limit"),
    /** Wei as decimal strings: they exceed 2^53. */
    maxFeePerGas: text("max_fee_per_gas"),
    maxPriorityFeePerGas: text("max_priority_fee_per_gas"),
    gasUsed: text("gas_used"),
    effectiveGasPrice: text("effective_gas_price"),
    minedBlock: integer("mined_block"),
    minedBlockHash: text("mined_block_hash"),
    confirmations: integer("confirmations").notNull().default(0),
    /** Short reason for dropped/failed (never a secret). */
    error: text("error"),
    createdAt: text("created_at").notNull(),
    sentAt: text("sent_at"),
    minedAt: text("mined_at"),
    confirmedAt: text("confirmed_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("anchor_batches_status_idx").on(t.chainId, t.status),
    index("anchor_batches_created_idx").on(t.createdAt),
  ],
);

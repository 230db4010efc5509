// The entry point other modules use to get something anchored: enqueueAnchor() queues a hash for every configured
// network; the cron tasks (src/cron/anchor-batch.ts, anchor-confirm.ts) batch, send and confirm it.
// enqueueAnchorStatements() is the same as idempotent D1 statements, for an aggregate's outbox (projection channel).
import type { Bindings } from "../env";
import { db } from "../db/client";
import { insertAnchorRecords, type AnchorRecordRow } from "../db/anchors";
import { anchorRecords, type AnchorKind } from "../db/schema/anchoring";
import { isHex32, toHex32, type Hex32 } from "../domain/merkle";
import { hasPrefix, newId } from "./ids";
import { anchorNetworks } from "./networks";

export interface EnqueueAnchorInput {
  /** "document": SHA-256 of the frozen PDF; "execution": executionHash() of the signed contract. */
  kind: AnchorKind;
  /** 32 bytes as hex (0x-prefixed or not, any case); stored lowercase with 0x. */
  hash: string;
  contractId: string;
  /** "execution" only: SHA-256 of the executed PDF the execution hash commits to (hex, any case/prefix). */
  executedDocumentHash?: string;
}

/** Throws on a malformed input (a caller bug, not user input); returns the normalised hash. */
function checked(input: EnqueueAnchorInput): Hex32 {
  if (input.kind !== "document" && input.kind !== "execution") throw new TypeError("enqueueAnchor: unknown kind");
  if (!isHex32(input.hash.toLowerCase().replace(/^(0x)?/, "0x")))
    throw new TypeError("enqueueAnchor: hash must be 32 bytes of hex");
  if (!hasPrefix(input.contractId, "ctr")) throw new TypeError("enqueueAnchor: contractId must be a ctr_ id");
  if (input.executedDocumentHash !== undefined) {
    if (input.kind !== "execution")
      throw new TypeError("enqueueAnchor: only an execution record names an executed PDF");
    if (!isHex32(input.executedDocumentHash.toLowerCase().replace(/^(0x)?/, "0x")))
      throw new TypeError("enqueueAnchor: executedDocumentHash must be 32 bytes of hex");
  }
  return toHex32(input.hash);
}

const executedOf = (input: EnqueueAnchorInput) =>
  input.executedDocumentHash === undefined ? null : toHex32(input.executedDocumentHash);

/**
 * Queues the hash for anchoring with status `pending`, one record per network in ANCHOR_NETWORKS. Idempotent per
 * (kind, contractId, hash): calling it again (a retried queue message, a replayed DO outbox) returns the same
 * records without queueing anything twice.
 */
export async function enqueueAnchor(env: Bindings, input: EnqueueAnchorInput): Promise<AnchorRecordRow[]> {
  const hash = checked(input);
  const networks = anchorNetworks(env.ANCHOR_NETWORKS).map((n) => ({
    name: n.name,
    chainId: n.chainId,
    id: newId("anc"),
  }));
  return insertAnchorRecords(
    env.DB,
    { kind: input.kind, hash, contractId: input.contractId, executedDocumentHash: executedOf(input) },
    networks,
    new Date().toISOString(),
  );
}

/**
 * The same queueing as `{ sql, params }` statements (INSERT … ON CONFLICT DO NOTHING, so running them again is
 * harmless), for a Durable Object that ships D1 writes through its outbox, e.g. ContractRoom on send/activation.
 */
export function enqueueAnchorStatements(
  env: Pick<Bindings, "DB" | "ANCHOR_NETWORKS">,
  input: EnqueueAnchorInput,
  now = new Date(),
): { sql: string; params: unknown[] }[] {
  const hash = checked(input);
  const at = now.toISOString();
  return anchorNetworks(env.ANCHOR_NETWORKS).map((n) => {
    const { sql, params } = db(env.DB)
      .insert(anchorRecords)
      .values({
        id: newId("anc"),
        kind: input.kind,
        hash,
        contractId: input.contractId,
        executedDocumentHash: executedOf(input),
        network: n.name,
        chainId: n.chainId,
        status: "pending",
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoNothing()
      .toSQL();
    return { sql, params };
  });
}

// The entry point other modules use to get something anchored: enqueueAnchor() queues a hash for every configured
// network; the cron tasks (src/cron/anchor-batch.ts, anchor-confirm.ts) batch, send and confirm it.
import type { Bindings } from "../env";
import { insertAnchorRecords, type AnchorRecordRow } from "../db/anchors";
import { toHex32, isHex32 } from "../domain/merkle";
import type { AnchorKind } from "../db/schema/anchoring";
import { hasPrefix, newId } from "./ids";
import { anchorNetworks } from "./networks";

export interface EnqueueAnchorInput {
  /** "document": SHA-256 of the frozen PDF; "execution": executionHash() of the signed contract. */
  kind: AnchorKind;
  /** 32 bytes as hex (0x-prefixed or not, any case); stored lowercase with 0x. */
  hash: string;
  contractId: string;
}

/**
 * Queues the hash for anchoring with status `pending`, one record per network in ANCHOR_NETWORKS. Idempotent per
 * (kind, contractId, hash): calling it again (a retried queue message, a replayed DO outbox) returns the same
 * records without queueing anything twice. Throws on a malformed hash or contract id (a caller bug, not user input).
 */
export async function enqueueAnchor(env: Bindings, input: EnqueueAnchorInput): Promise<AnchorRecordRow[]> {
  if (input.kind !== "document" && input.kind !== "execution") throw new TypeError("enqueueAnchor: unknown kind");
  if (!isHex32(input.hash.toLowerCase().replace(/^(0x)?/, "0x"))) throw new TypeError("enqueueAnchor: hash must be 32 bytes of hex");
  const hash = toHex32(input.hash);
  if (!hasPrefix(input.contractId, "ctr")) throw new TypeError("enqueueAnchor: contractId must be a ctr_ id");
  const networks = anchorNetworks(env.ANCHOR_NETWORKS).map((n) => ({ name: n.name, chainId: n.chainId, id: newId("anc") }));
  return insertAnchorRecords(env.DB, { kind: input.kind, hash, contractId: input.contractId }, networks, new Date().toISOString());
}

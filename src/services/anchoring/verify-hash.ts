// What Escra and the chain know of one hash (POST and GET /verify): its anchoring records with live confirmation
// counts, the contracts it belongs to, and a live on-chain check of the records' transactions and proofs.
import type { Bindings } from "../../env";
import { checkOnChain, headBlocks, withLiveConfirmations, type OnChainResult } from "../../lib/anchor-verify";
import { db } from "../../db/client";
import { contractStatuses } from "../../db/contracts";
import { recordsByHash, type AnchorRecordRow } from "../../db/anchors";
import type { Hex32 } from "../../domain/merkle";

export interface HashVerification {
  hash: Hex32;
  known: boolean;
  contracts: { id: string; status: string | null }[];
  /** Stored records with confirmations counted from the same head blocks as the on-chain check. */
  records: AnchorRecordRow[];
  onChain: OnChainResult;
}

/** @param hash 0x-prefixed lowercase SHA-256 (toHex32) */
export async function verifyHash(env: Bindings, hash: Hex32): Promise<HashVerification> {
  const records = await recordsByHash(env.DB, hash);
  const contractIds = [...new Set(records.map((r) => r.contractId))];
  const statuses = await contractStatuses(db(env.DB), contractIds);
  const statusOf = new Map(statuses.map((s) => [s.id, s.status as string | null]));
  const heads = await headBlocks(env, records);
  const onChain = await checkOnChain(env, records, heads);
  return {
    hash,
    known: records.length > 0,
    contracts: contractIds.map((id) => ({ id, status: statusOf.get(id) ?? null })),
    records: withLiveConfirmations(env, records, heads),
    onChain,
  };
}

// Live on-chain check of anchor records, asked of the chain at request time (never of our own bookkeeping): the
// transaction exists and succeeded, its input is the root, it has the network's confirmations, and the proof folds
// the hash up to that root.
import type { Bindings } from "../env";
import type { AnchorRecordRow } from "../db/anchors";
import { leafHash, verifyProof, type Hex32 } from "../domain/merkle";
import { confirmationsOf, isConfirmed } from "../domain/anchor-rules";
import { chainClient, findReceipt, findTransaction, headBlock } from "./chain";
import { anchorNetworks } from "./networks";

/** Distinct transactions checked per request: bounds the RPC calls one (public) request can cause. */
const MAX_CHECKS = 10;
const VERIFY_RPC_TIMEOUT_MS = 5_000;

export interface OnChainCheck {
  recordId: string;
  network: { name: string; chainId: number };
  txHash: string;
  verified: boolean;
  confirmations: number;
  required: number;
  /** Why it is not verified (absent when verified). */
  reason?: string;
}

export interface OnChainResult {
  verified: boolean;
  checkedAt: string;
  checks: OnChainCheck[];
}

/** Each network's head block now, one RPC call per network the records use; a network that does not answer is left
 * out (its records keep their stored counts). */
export async function headBlocks(env: Bindings, records: AnchorRecordRow[]): Promise<Map<number, bigint>> {
  const networks = anchorNetworks(env.ANCHOR_NETWORKS).filter((n) =>
    records.some((r) => r.chainId === n.chainId && r.blockNumber !== null),
  );
  const heads = new Map<number, bigint>();
  await Promise.all(
    networks.map(async (n) => {
      try {
        heads.set(n.chainId, await headBlock(chainClient(n, VERIFY_RPC_TIMEOUT_MS)));
      } catch {
        // Unreachable: the stored count stands.
      }
    }),
  );
  return heads;
}

/**
 * Records as of now: a mined record's confirmations are counted from the head block (the stored count is only as
 * fresh as the last confirmation pass, and stops once the batch is confirmed), and an `anchored` record that has
 * reached its network's threshold reads `confirmed`. GET /contracts/:id/anchor and POST /verify both report this,
 * with the same heads as the live check, so they always agree.
 */
export function withLiveConfirmations(
  env: Bindings,
  records: AnchorRecordRow[],
  heads: Map<number, bigint>,
): AnchorRecordRow[] {
  const required = new Map(anchorNetworks(env.ANCHOR_NETWORKS).map((n) => [n.chainId, n.confirmations]));
  return records.map((r) => {
    const head = heads.get(r.chainId);
    if (head === undefined || r.blockNumber === null || (r.status !== "anchored" && r.status !== "confirmed")) return r;
    const confirmations = Math.max(r.confirmations, confirmationsOf(head, r.blockNumber));
    const need = required.get(r.chainId);
    const status =
      r.status === "anchored" && need !== undefined && isConfirmed(confirmations, need) ? "confirmed" : r.status;
    return { ...r, confirmations, status };
  });
}

export async function checkOnChain(
  env: Bindings,
  records: AnchorRecordRow[],
  heads?: Map<number, bigint>,
): Promise<OnChainResult> {
  const networks = new Map(anchorNetworks(env.ANCHOR_NETWORKS).map((n) => [n.chainId, n]));
  const seen = new Set<string>();
  const candidates = records.filter((r) => {
    const key = `${r.chainId}:${r.txHash}`;
    if (!r.txHash || !r.root || !r.proof || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const checks = await Promise.all(
    candidates.slice(0, MAX_CHECKS).map((r) => checkRecord(networks, r, heads?.get(r.chainId))),
  );
  return { verified: checks.some((c) => c.verified), checkedAt: new Date().toISOString(), checks };
}

async function checkRecord(
  networks: Map<number, ReturnType<typeof anchorNetworks>[number]>,
  r: AnchorRecordRow,
  head?: bigint,
): Promise<OnChainCheck> {
  const network = networks.get(r.chainId);
  const base = {
    recordId: r.id,
    network: { name: r.network, chainId: r.chainId },
    txHash: r.txHash!,
    confirmations: 0,
    required: network?.confirmations ?? 0,
  };
  const fail = (reason: string, confirmations = 0): OnChainCheck => ({
    ...base,
    verified: false,
    confirmations,
    reason,
  });
  if (!network) return fail("network not configured");

  const path = JSON.parse(r.proof!) as string[];
  if (!verifyProof(r.root!, r.hash, path) || (r.leaf !== null && r.leaf !== leafHash(r.hash as Hex32)))
    return fail("proof does not match the root");

  try {
    const client = chainClient(network, VERIFY_RPC_TIMEOUT_MS);
    const tx = await findTransaction(client, r.txHash as Hex32);
    if (!tx) return fail("transaction not found");
    if (tx.input.toLowerCase() !== r.root!.toLowerCase()) return fail("transaction input is not the root");
    const receipt = await findReceipt(client, r.txHash as Hex32);
    if (!receipt) return fail("transaction not mined");
    if (receipt.status !== "success") return fail("transaction reverted");
    const confirmations = confirmationsOf(head ?? (await headBlock(client)), receipt.blockNumber);
    if (confirmations < network.confirmations)
      return fail(`${confirmations} of ${network.confirmations} confirmations`, confirmations);
    return { ...base, verified: true, confirmations };
  } catch {
    return fail("network unreachable");
  }
}

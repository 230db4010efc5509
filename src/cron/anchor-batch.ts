// Cron task: per configured network, put every pending record into one Merkle tree, store each record's proof and
// send ONE 0-value transaction whose input data is exactly the root. Also callable on demand (admin trigger).
import type { Bindings } from "../env";
import { buildTree } from "../domain/merkle";
import { feesToColumns, withHeadroom } from "../domain/anchor-rules";
import {
  claimedHashes,
  createBatchAndClaim,
  endBatchAndRelease,
  findBatch,
  hasUnclaimed,
  setBatchTransaction,
  staleBuildingBatches,
  storeProofsAndMarkSent,
  type AnchorBatchRow,
} from "../db/anchors";
import {
  anchorAccount,
  chainClient,
  estimateAnchorGas,
  estimateFees,
  isTransportError,
  signAnchorTx,
  type ChainClient,
} from "../lib/chain";
import { anchorNetworks, type AnchorNetwork } from "../lib/networks";
import { newId } from "../lib/ids";
import { log } from "../lib/request-context";
import { observeBatch } from "./anchor-confirm";

/** Broadcasts per batch: the first, and re-signed ones when another sender took our nonce in between. */
const MAX_BROADCASTS = 3;

/** A batch left in `building` this long was abandoned by a run that died (a live run takes seconds). */
const STALE_BUILDING_MS = 15 * 60_000;

export interface BatchOutcome {
  network: string;
  chainId: number;
  /** The batch created (null when nothing was pending or the network could not be reached). */
  batch: AnchorBatchRow | null;
  skipped?: "nothing_pending" | "rpc_unavailable" | "broadcast_failed" | "error";
}

/** The scheduled task: one batch per network; a network whose RPC is down is skipped and its records stay pending. */
export async function anchorBatch(env: Bindings, now: Date): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  for (const network of anchorNetworks(env.ANCHOR_NETWORKS)) {
    try {
      outcomes.push(await batchNetwork(env, network, now));
    } catch (err) {
      // D1 trouble (or a bug) on one network must not stop the others; nothing is lost, records stay queued.
      log("error", "anchor batch failed", { network: network.name, error: String(err) });
      outcomes.push({ network: network.name, chainId: network.chainId, batch: null, skipped: "error" });
    }
  }
  return outcomes;
}

async function batchNetwork(env: Bindings, network: AnchorNetwork, now: Date): Promise<BatchOutcome> {
  const base = { network: network.name, chainId: network.chainId };
  const at = now.toISOString();

  for (const id of await staleBuildingBatches(
    env.DB,
    network.chainId,
    new Date(now.getTime() - STALE_BUILDING_MS).toISOString(),
  )) {
    await endBatchAndRelease(env.DB, id, "failed", "abandoned while building", at, false);
  }
  if (!(await hasUnclaimed(env.DB, network.chainId))) return { ...base, batch: null, skipped: "nothing_pending" };

  // Everything that needs the chain happens before any record is claimed: an RPC that is down leaves them untouched.
  const client = chainClient(network);
  const account = anchorAccount(env.ANCHOR_PRIVATE_KEY);
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    prepared = await prepare(client, network, account);
  } catch (err) {
    log("warn", "anchor network unreachable; records stay pending", {
      network: network.name,
      error: String(err).slice(0, 200),
    });
    return { ...base, batch: null, skipped: "rpc_unavailable" };
  }

  const batchId = newId("bat");
  const claimed = await createBatchAndClaim(env.DB, {
    id: batchId,
    network: network.name,
    chainId: network.chainId,
    fromAddress: account.address,
    toAddress: account.address,
    nonce: prepared.nonce,
    gasLimit: prepared.gas.toString(),
    createdAt: at,
  });
  if (claimed === 0) return { ...base, batch: null, skipped: "nothing_pending" };

  const values = await claimedHashes(env.DB, batchId);
  const started = performance.now();
  const tree = buildTree(values);
  const entries = values.map((hash) => ({ hash, leaf: tree.leafOf(hash), proof: tree.proofOf(hash) }));
  const treeMs = Math.round(performance.now() - started);
  const tx = await signAnchorTx(account, {
    network,
    nonce: prepared.nonce,
    gas: prepared.gas,
    fees: prepared.fees,
    root: tree.root,
  });
  const storing = performance.now();
  await storeProofsAndMarkSent(env.DB, batchId, entries, {
    root: tree.root,
    size: tree.size,
    recordCount: claimed,
    txHash: tx.hash,
    ...feesToColumns(prepared.fees),
    sentAt: at,
  });
  const storeMs = Math.round(performance.now() - storing);

  let sent = tx;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.sendRawTransaction({ serializedTransaction: sent.serialized });
      break;
    } catch (err) {
      const reason = broadcastError(err);
      if (reason === "already known") break;
      if (isTransportError(err)) {
        // It may have reached the node: the batch stays `sent`, and the confirm task finds the transaction or, once
        // no node knows it after a grace period, puts the records back into the queue.
        log("warn", "anchor broadcast outcome unknown; the confirm task settles it", {
          network: network.name,
          batchId,
          error: reason,
        });
        return { ...base, batch: (await findBatch(env.DB, batchId)) ?? null };
      }
      if (reason === "nonce conflict" && attempt < MAX_BROADCASTS) {
        // Another sender of this account (a concurrent admin trigger, an operator) took the nonce: sign for the next.
        const nonce = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
        sent = await signAnchorTx(account, { network, nonce, gas: prepared.gas, fees: prepared.fees, root: tree.root });
        await setBatchTransaction(env.DB, batchId, { nonce, txHash: sent.hash, at });
        continue;
      }
      // The node refused it, so the chain never saw this root; the records wait for the next batch.
      log("warn", "anchor broadcast refused; records back in the queue", {
        network: network.name,
        batchId,
        error: reason,
      });
      await endBatchAndRelease(env.DB, batchId, "failed", `broadcast refused: ${reason}`, at, false);
      return { ...base, batch: (await findBatch(env.DB, batchId)) ?? null, skipped: "broadcast_failed" };
    }
  }
  log("info", "anchor batch sent", {
    network: network.name,
    batchId,
    records: claimed,
    leaves: tree.size,
    txHash: sent.hash,
    treeMs,
    storeMs,
  });

  // Chains that mine at once (Anvil) show the block immediately; otherwise the confirm task picks it up.
  try {
    const batch = await findBatch(env.DB, batchId);
    if (batch) await observeBatch(env, network, client, batch, now);
  } catch (err) {
    log("warn", "anchor receipt check deferred to the confirm task", { batchId, error: String(err).slice(0, 200) });
  }
  return { ...base, batch: (await findBatch(env.DB, batchId)) ?? null };
}

async function prepare(client: ChainClient, network: AnchorNetwork, account: ReturnType<typeof anchorAccount>) {
  const chainId = await client.getChainId();
  if (chainId !== network.chainId) throw new Error(`RPC serves chain ${chainId}, configured ${network.chainId}`);
  const [nonce, estimate, gas] = await Promise.all([
    // "pending" counts our own unmined transactions too, so a new batch never collides with one still in the pool.
    client.getTransactionCount({ address: account.address, blockTag: "pending" }),
    estimateFees(client),
    estimateAnchorGas(client, account),
  ]);
  return { nonce, fees: withHeadroom(estimate), gas };
}

function broadcastError(err: unknown): string {
  const text = err instanceof Error ? ((err as { details?: string }).details ?? err.message) : String(err);
  if (/already known|known transaction/i.test(text)) return "already known";
  if (
    /nonce too low|nonce has already been used|replacement transaction underpriced|already imported|ReplacementUnderpriced/i.test(
      text,
    )
  ) {
    return "nonce conflict";
  }
  return text.split("\n")[0]!.slice(0, 200);
}

// Cron task: follow every open batch on its chain. Mined → records `anchored`; past the network's threshold →
// `confirmed`; vanished (reorg) or reverted → records back to the queue for the next batch; stuck in the pool →
// re-sent with the same nonce and bumped fees. An unreachable RPC changes nothing (records are never lost).
import type { Bindings } from "../env";
import type { Hex32 } from "../domain/merkle";
import {
  LOST_AFTER_MS,
  REPLACE_AFTER_MS,
  bumpFees,
  confirmationsOf,
  elapsedAtLeast,
  feesFromColumns,
  feesToColumns,
  isConfirmed,
  withHeadroom,
} from "../domain/anchor-rules";
import {
  batchContractOwners,
  endBatchAndRelease,
  openBatches,
  recordInclusion,
  recordReplacement,
  returnToPool,
  type AnchorBatchRow,
} from "../db/anchors";
import {
  anchorAccount,
  chainClient,
  estimateFees,
  findReceipt,
  findTransaction,
  headBlock,
  signAnchorTx,
  type ChainClient,
} from "../lib/chain";
import { publishEvents, type PublishEventInput } from "../lib/events";
import { anchorNetworks, type AnchorNetwork } from "../lib/networks";
import { log } from "../lib/request-context";

/** contractIds per anchor.* event (~14 KB), far below the 128 KB queue message limit. */
const CONTRACTS_PER_EVENT = 500;
/** Events per sendBatch: a queue batch holds at most 100 messages and 256 KB. */
const EVENTS_PER_SEND = 10;

export async function anchorConfirm(env: Bindings, now: Date): Promise<void> {
  for (const network of anchorNetworks(env.ANCHOR_NETWORKS)) {
    const batches = await openBatches(env.DB, network.chainId);
    if (batches.length === 0) continue;
    const client = chainClient(network);
    for (const batch of batches) {
      try {
        await observeBatch(env, network, client, batch, now);
      } catch (err) {
        // Typically the RPC is down: leave the batch as it is and look again next run.
        log("warn", "anchor confirmation check failed; will retry", {
          network: network.name,
          batchId: batch.id,
          error: String(err).slice(0, 200),
        });
      }
    }
  }
}

/** One look at one open batch; every branch either changes nothing or moves the batch to its next state. */
export async function observeBatch(
  env: Bindings,
  network: AnchorNetwork,
  client: ChainClient,
  batch: AnchorBatchRow,
  now: Date,
) {
  const at = now.toISOString();
  const hashes = txHashesOf(batch);
  for (const hash of hashes) {
    const receipt = await findReceipt(client, hash);
    if (!receipt) continue;
    if (receipt.status !== "success") {
      await endBatchAndRelease(env.DB, batch.id, "failed", "transaction reverted", at, true);
      log("warn", "anchor transaction reverted; records back in the queue", { batchId: batch.id, txHash: hash });
      return;
    }
    const head = await headBlock(client);
    const confirmations = confirmationsOf(head, receipt.blockNumber);
    const confirmed = isConfirmed(confirmations, network.confirmations);
    const firstSeen = batch.status !== "mined";
    const moved = batch.minedBlockHash !== receipt.blockHash || batch.txHash !== hash;
    if (firstSeen || moved || confirmed || batch.confirmations !== confirmations) {
      await recordInclusion(env.DB, batch.id, {
        txHash: hash,
        blockNumber: Number(receipt.blockNumber),
        blockHash: receipt.blockHash,
        gasUsed: receipt.gasUsed.toString(),
        effectiveGasPrice: receipt.effectiveGasPrice.toString(),
        confirmations,
        confirmed,
        now: at,
      });
    }
    const data = {
      root: batch.root!,
      network: network.name,
      chainId: network.chainId,
      txHash: hash,
      blockNumber: Number(receipt.blockNumber),
      confirmations,
    };
    if (firstSeen) await announce(env, batch.id, "anchor.anchored", { ...data, status: "anchored" });
    if (confirmed) await announce(env, batch.id, "anchor.confirmed", { ...data, status: "confirmed" });
    return;
  }

  for (const hash of hashes) {
    const tx = await findTransaction(client, hash);
    if (!tx) continue;
    // In a block but the receipt is not indexed yet: look again later.
    if (tx.blockNumber !== null) return;
    if (batch.status === "mined") {
      // A reorg put it back into the pool: not anchored any more, but its proofs hold once it is mined again.
      await returnToPool(env.DB, batch.id, at);
      log("warn", "anchor transaction back in the pool after a reorg", { batchId: batch.id, txHash: hash });
      return;
    }
    if (hash === batch.txHash && elapsedAtLeast(batch.sentAt, now, REPLACE_AFTER_MS))
      await replace(env, network, client, batch, now);
    return;
  }

  if (batch.status === "mined") {
    // It was in a block and now no node knows it: a reorg dropped it. Its records go into the next batch.
    await endBatchAndRelease(env.DB, batch.id, "dropped", "transaction left the chain (reorg)", at, true);
    log("warn", "anchor transaction vanished after mining; records re-queued", { batchId: batch.id });
    return;
  }

  // No node knows any of our hashes. Lost for sure once the nonce was used by something else; otherwise after a grace.
  const nonce = await client.getTransactionCount({ address: batch.fromAddress as Hex32, blockTag: "latest" });
  if (nonce > (batch.nonce ?? Number.MAX_SAFE_INTEGER) || elapsedAtLeast(batch.sentAt, now, LOST_AFTER_MS)) {
    await endBatchAndRelease(env.DB, batch.id, "dropped", "transaction not found on chain or in the pool", at, true);
    log("warn", "anchor transaction lost; records re-queued", { batchId: batch.id });
  }
}

function txHashesOf(batch: AnchorBatchRow): Hex32[] {
  const replaced = JSON.parse(batch.replacedTxHashes) as Hex32[];
  return [batch.txHash as Hex32, ...replaced.reverse()].filter(Boolean);
}

/** Same nonce, same data, higher fees: whichever of the versions gets mined anchors the same root. */
async function replace(env: Bindings, network: AnchorNetwork, client: ChainClient, batch: AnchorBatchRow, now: Date) {
  const account = anchorAccount(env.ANCHOR_PRIVATE_KEY);
  const previous = feesFromColumns(batch.maxFeePerGas, batch.maxPriorityFeePerGas);
  if (
    account.address.toLowerCase() !== batch.fromAddress.toLowerCase() ||
    !previous ||
    batch.nonce === null ||
    !batch.root
  ) {
    log("warn", "stuck anchor transaction cannot be replaced (key rotated or batch incomplete)", { batchId: batch.id });
    return;
  }
  const fees = bumpFees(previous, withHeadroom(await estimateFees(client)));
  const tx = await signAnchorTx(account, {
    network,
    nonce: batch.nonce,
    gas: BigInt(batch.gasLimit ?? "30000"),
    fees,
    root: batch.root as Hex32,
  });
  try {
    await client.sendRawTransaction({ serializedTransaction: tx.serialized });
  } catch (err) {
    log("warn", "anchor replacement refused; will retry", {
      batchId: batch.id,
      error: String(err).split("\n")[0]!.slice(0, 200),
    });
    return;
  }
  const replaced = [...(JSON.parse(batch.replacedTxHashes) as string[]), batch.txHash!];
  await recordReplacement(env.DB, batch.id, {
    txHash: tx.hash,
    replacedTxHashes: replaced,
    ...feesToColumns(fees),
    sentAt: now.toISOString(),
  });
  log("info", "stuck anchor transaction replaced", { batchId: batch.id, txHash: tx.hash, nonce: batch.nonce });
}

type AnchorEventType = "anchor.anchored" | "anchor.confirmed";

async function announce(
  env: Bindings,
  batchId: string,
  type: AnchorEventType,
  data: {
    status: "anchored" | "confirmed";
    root: string;
    network: string;
    chainId: number;
    txHash: string;
    blockNumber: number;
    confirmations: number;
  },
) {
  try {
    // One event per owner naming only their contracts, so nobody learns of another owner's contracts; contracts
    // missing from the projection go out with no audience (visible to operators only).
    const byOwner = new Map<string | null, string[]>();
    for (const { contractId, ownerId } of await batchContractOwners(env.DB, batchId)) {
      const list = byOwner.get(ownerId);
      if (list) list.push(contractId);
      else byOwner.set(ownerId, [contractId]);
    }
    const events: PublishEventInput<AnchorEventType>[] = [];
    for (const [ownerId, contractIds] of byOwner) {
      for (let i = 0; i < contractIds.length; i += CONTRACTS_PER_EVENT) {
        events.push({
          type,
          data: { anchorId: batchId, ...data, contractIds: contractIds.slice(i, i + CONTRACTS_PER_EVENT) },
          subject: { type: "anchor", id: batchId },
          audience: ownerId ? [ownerId] : [],
        });
      }
    }
    for (let i = 0; i < events.length; i += EVENTS_PER_SEND)
      await publishEvents(env, events.slice(i, i + EVENTS_PER_SEND));
  } catch (err) {
    // The state change is already stored; a lost notification must not undo or block it.
    log("error", "anchor event not published", { batchId, type, error: String(err).slice(0, 200) });
  }
}

// Anchoring rules as plain functions: fee headroom and replacement bumps, confirmation counting, when a sent
// transaction counts as stuck, when a record gives up, and what a batch cost. No bindings, no I/O.

/** Wei amounts for an EIP-1559 transaction, or a legacy gas price (chains without a base fee). */
export type Fees =
  | { type: "eip1559"; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: "legacy"; gasPrice: bigint };

/** A record whose transaction was lost this many times is marked failed instead of being queued again. */
export const MAX_ANCHOR_ATTEMPTS = 5;

/** A transaction still unmined this long after sending is re-sent with the same nonce and higher fees. */
export const REPLACE_AFTER_MS = 10 * 60_000;

/** A sent transaction no node knows is only declared lost after this grace (load-balanced RPCs lag). */
export const LOST_AFTER_MS = 2 * 60_000;

/** Most nodes (geth's txpool.pricebump) require at least +10% on both fee fields to accept a replacement. */
const BUMP_PERCENT = 25n;

const ceilPercent = (value: bigint, percent: bigint) => (value * percent + 99n) / 100n;

/** Headroom over the node's estimate so a rising base fee over the next blocks does not strand the transaction. */
export function withHeadroom(estimate: Fees): Fees {
  if (estimate.type === "legacy") return { type: "legacy", gasPrice: ceilPercent(estimate.gasPrice, 120n) };
  const maxPriorityFeePerGas = estimate.maxPriorityFeePerGas;
  const maxFeePerGas = ceilPercent(estimate.maxFeePerGas, 150n);
  return {
    type: "eip1559",
    maxFeePerGas: maxFeePerGas > maxPriorityFeePerGas ? maxFeePerGas : maxPriorityFeePerGas,
    maxPriorityFeePerGas,
  };
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * Fees for a replacement of `previous` (same nonce): at least +25% on every field, so nodes accept it as a
 * replacement, and never below what the market asks now (`current`, already with headroom).
 */
export function bumpFees(previous: Fees, current: Fees): Fees {
  const bump = (v: bigint) => max(ceilPercent(v, 100n + BUMP_PERCENT), v + 1n);
  if (previous.type === "legacy") {
    const now = current.type === "legacy" ? current.gasPrice : current.maxFeePerGas;
    return { type: "legacy", gasPrice: max(bump(previous.gasPrice), now) };
  }
  const priorityNow = current.type === "eip1559" ? current.maxPriorityFeePerGas : 0n;
  const maxNow = current.type === "eip1559" ? current.maxFeePerGas : current.gasPrice;
  const maxPriorityFeePerGas = max(bump(previous.maxPriorityFeePerGas), priorityNow);
  const maxFeePerGas = max(max(bump(previous.maxFeePerGas), maxNow), maxPriorityFeePerGas);
  return { type: "eip1559", maxFeePerGas, maxPriorityFeePerGas };
}

/** Blocks on top of (and including) the one holding the transaction; 0 if the head lags behind it. */
export function confirmationsOf(head: bigint | number, minedBlock: bigint | number): number {
  const n = BigInt(head) - BigInt(minedBlock) + 1n;
  return n > 0n ? Number(n) : 0;
}

export function isConfirmed(confirmations: number, required: number): boolean {
  return confirmations >= required;
}

export function elapsedAtLeast(since: string | null, now: Date, ms: number): boolean {
  if (!since) return true;
  return now.getTime() - Date.parse(since) >= ms;
}

/** What a batch cost in wei (gas used × effective price), as a decimal string; null until mined. */
export function batchCostWei(gasUsed: string | null, effectiveGasPrice: string | null): string | null {
  if (gasUsed === null || effectiveGasPrice === null) return null;
  return (BigInt(gasUsed) * BigInt(effectiveGasPrice)).toString();
}

/** The fee fields stored on a batch, back to a typed value. */
export function feesFromColumns(maxFeePerGas: string | null, maxPriorityFeePerGas: string | null): Fees | null {
  if (maxFeePerGas === null) return null;
  if (maxPriorityFeePerGas === null) return { type: "legacy", gasPrice: BigInt(maxFeePerGas) };
  return { type: "eip1559", maxFeePerGas: BigInt(maxFeePerGas), maxPriorityFeePerGas: BigInt(maxPriorityFeePerGas) };
}

export function feesToColumns(fees: Fees): { maxFeePerGas: string; maxPriorityFeePerGas: string | null } {
  return fees.type === "legacy"
    ? { maxFeePerGas: fees.gasPrice.toString(), maxPriorityFeePerGas: null }
    : { maxFeePerGas: fees.maxFeePerGas.toString(), maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString() };
}

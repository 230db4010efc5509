// The chain ids of the test Anvil nodes (vitest.config.ts starts them; test/helpers/anchor-chain.ts points files at
// them). No imports: vitest.config.ts in Node and the tests in workerd both read it.

/**
 * Anchoring records and batches are kept per chain id, so a node with an id of its own keeps a file's records out of
 * every other file's batch in a shared database (and theirs out of its own).
 */
export const ANVIL_CHAIN_IDS = {
  /** Every test file's chain, and the `anvil` network of ANCHOR_NETWORKS. */
  shared: 31337,
  /** test/cron/anchor-chain.test.ts: it reverts snapshots and stops automine. */
  isolated: 31338,
  /** test/cron/anchor-scale.test.ts: it counts every pending record of its chain into one batch. */
  scale: 31339,
} as const;

export type AnvilNode = keyof typeof ANVIL_CHAIN_IDS;

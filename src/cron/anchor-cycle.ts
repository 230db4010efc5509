// The anchoring cycle (the */5 cron task and the admin trigger): settle open batches first (so records of a lost
// transaction rejoin the queue and mined ones count their confirmations), then batch what is pending. Sequential on
// purpose: run side by side, both passes could observe the same new batch.
import type { Bindings } from "../env";
import { anchorBatch, type BatchOutcome } from "./anchor-batch";
import { anchorConfirm } from "./anchor-confirm";

/** @returns one outcome per configured network for the batching pass */
export async function anchorCycle(env: Bindings, now: Date): Promise<BatchOutcome[]> {
  await anchorConfirm(env, now);
  return anchorBatch(env, now);
}

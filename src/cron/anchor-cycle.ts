// The */5 anchoring task: settle open batches first (so records of a lost transaction rejoin the queue), then batch
// what is pending. Sequential on purpose: run side by side, both passes could observe the same new batch.
import type { Bindings } from "../env";
import { anchorBatch } from "./anchor-batch";
import { anchorConfirm } from "./anchor-confirm";

export async function anchorCycle(env: Bindings, now: Date): Promise<void> {
  await anchorConfirm(env, now);
  await anchorBatch(env, now);
}

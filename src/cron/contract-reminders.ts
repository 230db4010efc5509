// Cron "* * * * *": asks each pending contract's room to send the reminders and escalations now due (the room
// holds each party's schedule and never reminds someone who acted).
import type { Bindings } from "../env";
import { log } from "../lib/request-context";
import { contractRoom } from "../../durable-objects/contract-room";

/** The earliest a first reminder can be due (firstAfterHours ≥ 1), so fresher contracts are not even asked. */
const MIN_AGE_MS = 3_600_000;
const BATCH = 500;

export async function remindContracts(env: Bindings, now: Date): Promise<void> {
  const sentBefore = new Date(now.getTime() - MIN_AGE_MS).toISOString();
  // Oldest activity first; a room that had nothing due is not touched, so the scan moves on within the batch.
  const pending = await env.DB.prepare("SELECT id FROM contracts WHERE status = 'pending' AND sent_at <= ? ORDER BY updated_at LIMIT ?")
    .bind(sentBefore, BATCH)
    .all<{ id: string }>();
  const at = now.toISOString();
  const results = await Promise.allSettled(pending.results.map((r) => contractRoom(env, r.id).remind(at)));
  const failed = results.filter((r) => r.status === "rejected" || !r.value.ok).length;
  if (failed) log("warn", "contract reminders: some rooms failed; retried next minute", { failed });
}

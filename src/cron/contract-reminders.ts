// Cron "* * * * *": asks the rooms of pending contracts whose next reminder or escalation is due (signing_schedule,
// projected by each room) to send them; the room holds each party's schedule and never reminds someone who acted.
import type { Bindings } from "../env";
import { log } from "../lib/request-context";
import { contractRoom } from "../../durable-objects/contract-room";

/** Rooms asked per run, most overdue first; the rest follow next minute. */
const BATCH = 500;

export async function remindContracts(env: Bindings, now: Date): Promise<void> {
  const at = now.toISOString();
  const due = await env.DB.prepare(
    `SELECT s.contract_id AS id FROM signing_schedule s JOIN contracts c ON c.id = s.contract_id
     WHERE s.next_due_at <= ? AND c.status = 'pending' ORDER BY s.next_due_at LIMIT ?`,
  )
    .bind(at, BATCH)
    .all<{ id: string }>();
  const results = await Promise.allSettled(due.results.map((r) => contractRoom(env, r.id).remind(at)));
  const failed = results.filter((r) => r.status === "rejected" || !r.value.ok).length;
  if (failed) log("warn", "contract reminders: some rooms failed; retried next minute", { failed });
}

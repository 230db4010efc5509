// Cron "* * * * *": pending contracts past their expiresAt are cancelled by their room (contract.expired).
import type { Bindings } from "../env";
import { log } from "../lib/request-context";
import { contractRoom } from "../../durable-objects/contract-room";

/** Contracts handled per run; the rest wait for the next minute. */
const BATCH = 200;

export async function expireContracts(env: Bindings, now: Date): Promise<void> {
  const at = now.toISOString();
  const due = await env.DB.prepare(
    "SELECT id FROM contracts WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
  )
    .bind(at, BATCH)
    .all<{ id: string }>();
  const results = await Promise.allSettled(due.results.map((r) => contractRoom(env, r.id).expire(at)));
  const failed = results.filter((r) => r.status === "rejected" || !r.value.ok).length;
  if (failed)
    log("warn", "contract expiry: some rooms failed; retried next minute", { failed, due: due.results.length });
}

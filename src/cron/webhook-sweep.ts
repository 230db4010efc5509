// Cron task: nothing stays pending forever. Re-enqueues webhook deliveries whose next attempt is long overdue
// (its queue message was lost) and records an attempt interrupted mid-POST as failed, then schedules the next.
import type { Bindings } from "../env";
import { db } from "../db/client";
import { overdueDeliveries, recordAttempt } from "../db/webhooks";
import { outcomeOf, TIMEOUT_MS } from "../domain/webhook-policy";
import { enqueueDeliveries } from "../jobs/fan-out-webhooks";
import { log } from "../lib/request-context";

/** Well past a 15 s attempt and the queue's own delays: anything older is stuck, not slow. */
const GRACE_MS = 10 * 60 * 1000 + TIMEOUT_MS;
const BATCH = 500;

export async function resumeStuckWebhookDeliveries(env: Bindings, now: Date): Promise<void> {
  const database = db(env.DB);
  const stuck = await overdueDeliveries(database, new Date(now.getTime() - GRACE_MS).toISOString(), BATCH);
  let resumed = 0;
  for (const delivery of stuck) {
    if (delivery.nextAttemptAt !== null) {
      // Due long ago: send the attempt again (a duplicate of a late message is skipped by the claim).
      await enqueueDeliveries(env, [delivery.id], delivery.attempts + 1);
      resumed += 1;
      continue;
    }
    // Claimed, never recorded: count it as a failed attempt and follow the schedule.
    const at = now.toISOString();
    const outcome = outcomeOf(delivery.attempts, null, null);
    const retry = outcome.kind === "retry";
    await recordAttempt(
      database,
      {
        deliveryId: delivery.id,
        attempt: delivery.attempts,
        at,
        statusCode: null,
        latencyMs: 0,
        error: "interrupted",
        responseSnippet: null,
      },
      { status: retry ? "pending" : "failed", nextAttemptAt: retry ? at : null },
    );
    if (retry) {
      await enqueueDeliveries(env, [delivery.id], delivery.attempts + 1);
      resumed += 1;
    }
  }
  if (stuck.length > 0) log("warn", "stuck webhook deliveries", { found: stuck.length, resumed });
}

// Cron dispatcher: each schedule in wrangler.toml maps to the tasks it runs.
import type { Bindings } from "../env";
import { log } from "../lib/request-context";
import { purgeExpiredIdempotencyKeys } from "../lib/idempotency";
import { anchorCycle } from "./anchor-cycle";
import { resumeStuckWebhookDeliveries } from "./webhook-sweep";
import { expireContracts } from "./contract-expiry";
import { remindContracts } from "./contract-reminders";
import { expireUnverifiedAccounts } from "./unverified-accounts";
import { sendEmailDigests } from "./email-digest";
import { expireReports } from "./report-expiry";
import { expireDataExports } from "./data-export-expiry";
import { rollUpAnalytics } from "./analytics-rollup";
import { applyRetention } from "../services/governance/apply-retention";

type Task = (env: Bindings, now: Date) => Promise<unknown>;

/** Tasks by cron expression (must match wrangler.toml's triggers). Capability issues add their tasks. */
export const SCHEDULES: Record<string, Task[]> = {
  "* * * * *": [expireContracts, remindContracts],
  "*/5 * * * *": [
    anchorCycle,
    resumeStuckWebhookDeliveries,
    expireUnverifiedAccounts,
    expireReports,
    expireDataExports,
    rollUpAnalytics,
  ],
  "0 3 * * *": [purgeExpiredIdempotencyKeys, applyRetention],
  "0 7 * * *": [sendEmailDigests],
};

export async function runScheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext) {
  const tasks = SCHEDULES[controller.cron] ?? [];
  const now = new Date(controller.scheduledTime);
  const results = await Promise.allSettled(tasks.map((task) => task(env, now)));
  results.forEach((result, i) => {
    if (result.status === "rejected") {
      log("error", "cron task failed", { cron: controller.cron, task: tasks[i]?.name, error: String(result.reason) });
    }
  });
  void ctx;
}

// Rolls up the analytics of dirty days (marked by the triggers of migration 0037 on every contract or escrow write):
// recomputed from the source rows, idempotently, a bounded number of days per run. Today is left alone: a window
// always reads its last, partial day live, so rolling it up would be redone on every write for nothing.
import type { Bindings } from "../env";
import { dirtyDaysBefore, rollUpDays } from "../db/analytics-rollups";

/** Days recomputed per run (a backfill after the migration takes a few runs), and per D1 batch. */
const DAYS_PER_RUN = 56;
const DAYS_PER_BATCH = 7;

export async function rollUpAnalytics(env: Bindings, now: Date): Promise<{ days: number }> {
  const days = await dirtyDaysBefore(env.DB, now.toISOString().slice(0, 10), DAYS_PER_RUN);
  for (let i = 0; i < days.length; i += DAYS_PER_BATCH) await rollUpDays(env.DB, days.slice(i, i + DAYS_PER_BATCH));
  return { days: days.length };
}

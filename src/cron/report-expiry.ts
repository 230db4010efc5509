// Removes report exports past their expiry (REPORT_TTL_HOURS after the request): the file in R2, then the record.
import type { Bindings } from "../env";
import { db } from "../db/client";
import { deleteReport, expiredReports } from "../db/reports";

/** Reports removed per run; the next run takes the rest. */
const BATCH = 200;

export async function expireReports(env: Bindings, now: Date): Promise<{ removed: number }> {
  const database = db(env.DB);
  const at = now.toISOString();
  const due = await expiredReports(database, at, BATCH);
  for (const report of due) {
    // The file first: a record without its file is harmless; a file without its record would never be removed.
    if (report.r2Key) await env.DOCUMENTS.delete(report.r2Key);
    await deleteReport(database, report.id, at);
  }
  return { removed: due.length };
}

// Removes personal-data export files past their expiry (24 h after ready, or at once for an erased account): the
// file in R2, then the record turns `expired` (kept EXPIRED_EXPORT_RECORD_DAYS so a late click reads why, then
// deleted).
import type { Bindings } from "../env";
import { db } from "../db/client";
import { deleteOldExpiredExports, dueDataExports, markDataExportExpired } from "../db/data-exports";
import { EXPIRED_EXPORT_RECORD_DAYS } from "../domain/data-export";

/** Exports handled per run; the next run takes the rest. */
const BATCH = 200;

export async function expireDataExports(env: Bindings, now: Date): Promise<{ removed: number }> {
  const database = db(env.DB);
  const at = now.toISOString();
  const due = await dueDataExports(database, at, BATCH);
  for (const item of due) {
    // The file first: a record without its file is harmless; a file without its record would never be removed.
    if (item.r2Key) await env.DOCUMENTS.delete(item.r2Key);
    await markDataExportExpired(database, item.id, at);
  }
  await deleteOldExpiredExports(
    database,
    new Date(now.getTime() - EXPIRED_EXPORT_RECORD_DAYS * 86_400_000).toISOString(),
  );
  return { removed: due.length };
}

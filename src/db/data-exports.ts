// Queries of asynchronous personal-data exports (data_exports): insert, read, progress, and the expiry sweep's picks.
import { and, eq, isNotNull, lt, lte, ne } from "drizzle-orm";
import type { Database } from "./client";
import { dataExports } from "./schema/lifecycle";

export type DataExportRow = typeof dataExports.$inferSelect;

export async function insertDataExport(database: Database, row: DataExportRow) {
  await database.insert(dataExports).values(row);
}

export function findDataExport(database: Database, id: string) {
  return database.select().from(dataExports).where(eq(dataExports.id, id)).get();
}

export async function updateDataExport(database: Database, id: string, values: Partial<DataExportRow>) {
  await database.update(dataExports).set(values).where(eq(dataExports.id, id));
}

/** Exports past their expiry that still hold a file or are not yet marked expired, oldest first. */
export function dueDataExports(database: Database, now: string, limit: number) {
  return database
    .select({ id: dataExports.id, r2Key: dataExports.r2Key })
    .from(dataExports)
    .where(and(lte(dataExports.expiresAt, now), ne(dataExports.status, "expired")))
    .orderBy(dataExports.expiresAt)
    .limit(limit)
    .all();
}

/** Marks an export expired once its file is gone (guarded on the expiry, so a re-dated export is left alone). */
export async function markDataExportExpired(database: Database, id: string, now: string) {
  await database
    .update(dataExports)
    .set({ status: "expired", r2Key: null, updatedAt: now })
    .where(and(eq(dataExports.id, id), lte(dataExports.expiresAt, now)));
}

/** Removes expired records whose expiry is older than `before` (they hold no file any more). */
export async function deleteOldExpiredExports(database: Database, before: string) {
  await database.delete(dataExports).where(and(eq(dataExports.status, "expired"), lt(dataExports.expiresAt, before)));
}

/** The user's exports that still have a file (erasure brings their expiry forward so the cron removes them). */
export function exportFilesOf(database: Database, userId: string) {
  return database
    .select({ id: dataExports.id, r2Key: dataExports.r2Key })
    .from(dataExports)
    .where(and(eq(dataExports.userId, userId), isNotNull(dataExports.r2Key)))
    .all();
}

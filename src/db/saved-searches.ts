// Saved searches: the per-user cap enforced in the insert itself, and the owner's reads and deletes.
import { and, count, desc, eq } from "drizzle-orm";
import type { Database } from "./client";
import { savedSearches } from "./schema/contracts";
import { belowCap, changes, insertWhere } from "./guarded-writes";

/** At most this many saved searches per user. */
export const MAX_SAVED_SEARCHES = 50;

/**
 * Inserts the saved search only while its owner has fewer than MAX_SAVED_SEARCHES, in one statement.
 * @returns false when the cap was reached (nothing written)
 */
export async function insertSavedSearchWithinCap(
  database: Database,
  row: typeof savedSearches.$inferInsert,
): Promise<boolean> {
  const cap = belowCap(savedSearches, eq(savedSearches.userId, row.userId), MAX_SAVED_SEARCHES);
  const result = await insertWhere(database, savedSearches, row, cap).run();
  return changes(result) === 1;
}

export type SavedSearchRow = typeof savedSearches.$inferSelect;

/** One page of the user's saved searches, newest first, and how many they have. */
export async function listSavedSearches(
  database: Database,
  userId: string,
  window: { limit: number; offset: number },
): Promise<{ rows: SavedSearchRow[]; total: number }> {
  const mine = eq(savedSearches.userId, userId);
  const [rows, total] = await Promise.all([
    database
      .select()
      .from(savedSearches)
      .where(mine)
      .orderBy(desc(savedSearches.createdAt))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(savedSearches).where(mine).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

export function findSavedSearch(database: Database, userId: string, id: string): Promise<SavedSearchRow | undefined> {
  return database
    .select()
    .from(savedSearches)
    .where(and(eq(savedSearches.id, id), eq(savedSearches.userId, userId)))
    .get();
}

/** Deletes the user's saved search; false when they have none with that id. */
export async function deleteSavedSearch(database: Database, userId: string, id: string): Promise<boolean> {
  const gone = await database
    .delete(savedSearches)
    .where(and(eq(savedSearches.id, id), eq(savedSearches.userId, userId)))
    .returning({ id: savedSearches.id });
  return gone.length > 0;
}

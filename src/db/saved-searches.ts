// Saved searches: the per-user cap enforced in the insert itself.
import { eq } from "drizzle-orm";
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

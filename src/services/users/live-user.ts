// The caller's own account row, for flows on it: refuses an erased or missing account.
import { findUserById, type UserRow } from "../../db/users";
import { fail } from "../../lib/errors";

/** Who acts on their own account, and from where (for the audit entry). */
export interface UserActor {
  userId: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * @returns the user's row
 * @throws RES001 when it is missing or erased (the auth middleware refuses both, so only a race with erasure trips it)
 */
export async function liveUser(d1: D1Database, userId: string): Promise<UserRow> {
  const row = await findUserById(d1, userId);
  if (!row || row.deletedAt) throw fail.notFound("User");
  return row;
}

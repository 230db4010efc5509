// User rows as platform admins see them: the filtered, paginated list and the role/suspension write.
import { and, count, desc, eq, isNotNull, isNull, or, type SQL } from "drizzle-orm";
import { containsText } from "./text-match";
import { db } from "./client";
import { users, type Role } from "./schema/identity";
import type { UserRow } from "./users";
import type { UserStatus } from "../domain/user-admin";

export interface AdminUserFilter {
  role?: Role;
  status?: UserStatus;
  /** part of the email or name, matched case-insensitively (ASCII) */
  q?: string;
}

function statusCondition(status: UserStatus): SQL | undefined {
  switch (status) {
    case "deleted":
      return isNotNull(users.deletedAt);
    case "suspended":
      return and(isNull(users.deletedAt), eq(users.suspended, true));
    case "unverified":
      return and(isNull(users.deletedAt), eq(users.suspended, false), isNull(users.emailVerifiedAt));
    case "active":
      return and(isNull(users.deletedAt), eq(users.suspended, false), isNotNull(users.emailVerifiedAt));
  }
}

/** One page of users matching `filter`, newest first, and how many match in all. */
export async function listUsersForAdmin(
  d1: D1Database,
  filter: AdminUserFilter,
  window: { limit: number; offset: number },
): Promise<{ rows: UserRow[]; total: number }> {
  const conditions: (SQL | undefined)[] = [];
  if (filter.role) conditions.push(eq(users.role, filter.role));
  if (filter.status) conditions.push(statusCondition(filter.status));
  if (filter.q) {
    // Lowercased as before: emails are stored lowercase, and LIKE folds only ASCII letters.
    const q = filter.q.toLowerCase();
    conditions.push(or(containsText(users.email, q), containsText(users.name, q)));
  }
  const where = and(...conditions);
  const database = db(d1);
  const [rows, total] = await Promise.all([
    database
      .select()
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(users).where(where).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

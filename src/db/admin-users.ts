// User rows as platform admins see them: the filtered, paginated list and the role/suspension write.
import { and, count, desc, eq, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
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

/** LIKE pattern for a substring, with the wildcards of the input escaped. */
const containing = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

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
    const pattern = containing(filter.q);
    // SQLite's LIKE ignores ASCII case; ESCAPE makes a searched `%` or `_` literal.
    conditions.push(
      or(sql`${users.email} LIKE ${pattern} ESCAPE '\\'`, sql`${users.name} LIKE ${pattern} ESCAPE '\\'`),
    );
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

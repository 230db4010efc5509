// Reads of the audit log (audit_logs) for GET /audit/logs and its export: filters, who may see which rows, pages.
import { and, count, desc, eq, gte, lte, or, sql, type SQL } from "drizzle-orm";
import { startsWithText } from "./text-match";
import { db } from "./client";
import { auditLogs } from "./schema/audit";
import { contracts } from "./schema/contracts";
import { escrows } from "./schema/escrows";

export interface AuditFilters {
  /** ISO instants, inclusive. */
  startDate?: string;
  endDate?: string;
  userId?: string;
  /** Exact action, or a prefix when it ends with `.*` (`auth.*`, `contract.*`). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
}

/** Whose rows: everything (admins), or a user's own actions and the events of the contracts and escrows they hold. */
export type AuditScope = { kind: "all" } | { kind: "user"; userId: string };

export type AuditLogRow = typeof auditLogs.$inferSelect;

function conditions(filters: AuditFilters, scope: AuditScope): SQL | undefined {
  const list: SQL[] = [];
  if (filters.startDate) list.push(gte(auditLogs.createdAt, filters.startDate));
  if (filters.endDate) list.push(lte(auditLogs.createdAt, filters.endDate));
  if (filters.userId) list.push(eq(auditLogs.actorId, filters.userId));
  if (filters.action) {
    list.push(
      filters.action.endsWith(".*")
        ? startsWithText(auditLogs.action, filters.action.slice(0, -1))
        : eq(auditLogs.action, filters.action),
    );
  }
  if (filters.resourceType) list.push(eq(auditLogs.resourceType, filters.resourceType));
  if (filters.resourceId) list.push(eq(auditLogs.resourceId, filters.resourceId));
  if (scope.kind === "user") {
    const me = scope.userId;
    list.push(
      or(
        eq(auditLogs.actorId, me),
        and(eq(auditLogs.resourceType, "user"), eq(auditLogs.resourceId, me)),
        and(
          eq(auditLogs.resourceType, "contract"),
          sql`${auditLogs.resourceId} IN (SELECT ${contracts.id} FROM ${contracts} WHERE ${contracts.ownerId} = ${me})`,
        ),
        and(
          eq(auditLogs.resourceType, "escrow"),
          sql`${auditLogs.resourceId} IN (SELECT ${escrows.id} FROM ${escrows} WHERE ${escrows.buyerId} = ${me} OR ${escrows.sellerId} = ${me})`,
        ),
      )!,
    );
  }
  return list.length > 0 ? and(...list) : undefined;
}

/** One page, newest first, and the total. */
export async function listAuditLogs(
  d1: D1Database,
  filters: AuditFilters,
  scope: AuditScope,
  window: { limit: number; offset: number },
): Promise<{ items: AuditLogRow[]; total: number }> {
  const database = db(d1);
  const where = conditions(filters, scope);
  const [items, [total]] = await Promise.all([
    database
      .select()
      .from(auditLogs)
      .where(where)
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(window.limit)
      .offset(window.offset),
    database.select({ n: count() }).from(auditLogs).where(where),
  ]);
  return { items, total: total?.n ?? 0 };
}

/**
 * Every matching row, oldest first, `pageSize` at a time by keyset (created_at, id), so an export of any size
 * holds one page in memory.
 */
export async function* auditLogPages(
  d1: D1Database,
  filters: AuditFilters,
  scope: AuditScope,
  pageSize = 500,
): AsyncGenerator<AuditLogRow[]> {
  const database = db(d1);
  const base = conditions(filters, scope);
  let after: { createdAt: string; id: string } | null = null;
  for (;;) {
    const cursor: SQL | undefined = after
      ? or(
          sql`${auditLogs.createdAt} > ${after.createdAt}`,
          and(eq(auditLogs.createdAt, after.createdAt), sql`${auditLogs.id} > ${after.id}`),
        )
      : undefined;
    const rows: AuditLogRow[] = await database
      .select()
      .from(auditLogs)
      .where(cursor && base ? and(base, cursor) : (cursor ?? base))
      .orderBy(auditLogs.createdAt, auditLogs.id)
      .limit(pageSize);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    const last: AuditLogRow = rows[rows.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

// Analytics queries (GET /analytics/dashboard, /analytics/usage): counts per bucket and per group over the D1
// projection, each a range scan of one covering index (migration 0032) so they stay fast at a million contracts
// (scripts/bench-analytics.ts measures them).
import type { DataScope, ReportFilters } from "../domain/reports";
import type { AnalyticsWindow, DashboardAggregates, UsageGroup, UsageRow } from "../domain/analytics";
import { all, bucketSql, contractClause, escrowClause, hoursBetween, within } from "./reports";

function filtersOf(w: AnalyticsWindow): ReportFilters {
  return { period: w.period, startDate: w.startDate, endDate: w.endDate };
}

export async function dashboardAggregates(
  d1: D1Database,
  scope: DataScope,
  w: AnalyticsWindow,
): Promise<DashboardAggregates> {
  const c = contractClause(scope, filtersOf(w));
  const e = escrowClause(scope, filtersOf(w));
  const window = [w.startDate, w.endDate];
  const perBucket = (column: string, extra = "") =>
    `SELECT ${bucketSql(w.granularity, column)} AS bucket, COUNT(*) AS n${extra} FROM contracts c
     WHERE ${within(column)} AND ${c.sql} GROUP BY bucket`;
  const [created, sent, executed, cohort, escrowVolume] = await Promise.all([
    all<{ bucket: string; n: number }>(d1, perBucket("c.created_at"), [...window, ...c.params]),
    all<{ bucket: string; n: number }>(d1, perBucket("c.sent_at"), [...window, ...c.params]),
    all<{ bucket: string; n: number; hours: number | null }>(
      d1,
      perBucket("c.activated_at", `, SUM(${hoursBetween("c.sent_at", "c.activated_at")}) AS hours`),
      [...window, ...c.params],
    ),
    all<{ sent: number; executed: number | null }>(
      d1,
      `SELECT COUNT(*) AS sent, SUM(c.activated_at IS NOT NULL) AS executed FROM contracts c WHERE ${within("c.sent_at")} AND ${c.sql}`,
      [...window, ...c.params],
    ),
    all<{ currency: string; count: number; amount: number }>(
      d1,
      `SELECT e.currency, COUNT(*) AS count, SUM(e.amount) AS amount FROM escrows e
       WHERE ${within("e.funded_at")} AND ${e.sql} GROUP BY e.currency`,
      [...window, ...e.params],
    ),
  ]);
  return {
    created,
    sent,
    executed,
    sentCohort: { sent: cohort[0]?.sent ?? 0, executed: cohort[0]?.executed ?? 0 },
    escrowVolume,
  };
}

const GROUP_COLUMN: Record<UsageGroup, string> = { user: "c.owner_id", team: "c.team_id", document_type: "c.type" };

/** Contracts created in the window per owner, team or type: created, sent by now, executed by now; with labels. */
export async function usageRows(
  d1: D1Database,
  scope: DataScope,
  w: AnalyticsWindow,
  groupBy: UsageGroup,
): Promise<UsageRow[]> {
  const c = contractClause(scope, filtersOf(w));
  const column = GROUP_COLUMN[groupBy];
  const rows = await all<Omit<UsageRow, "label">>(
    d1,
    `SELECT ${column} AS key, COUNT(*) AS created, SUM(c.sent_at IS NOT NULL) AS sent, SUM(c.activated_at IS NOT NULL) AS executed
     FROM contracts c WHERE ${within("c.created_at")} AND ${c.sql} GROUP BY ${column}`,
    [w.startDate, w.endDate, ...c.params],
  );
  if (groupBy === "document_type") return rows.map((r) => ({ ...r, label: r.key }));
  const keys = rows.map((r) => r.key).filter((k): k is string => k !== null);
  // One bound parameter whatever the number of groups (D1 allows 100 per statement): the ids as a JSON array.
  const table = groupBy === "user" ? "users" : "teams";
  const names = keys.length
    ? await all<{ id: string; name: string }>(
        d1,
        `SELECT id, name FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`,
        [JSON.stringify(keys)],
      )
    : [];
  const byId = new Map(names.map((n) => [n.id, n.name]));
  return rows.map((r) => ({ ...r, label: r.key === null ? null : (byId.get(r.key) ?? null) }));
}

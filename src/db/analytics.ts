// Analytics queries (GET /analytics/dashboard, /analytics/usage): sums over the daily rollups (migration 0037) for
// the whole, clean days of the window, plus the source rows of its partial first and last day and of every dirty
// day (written since the cron last rolled it up) — exact at any moment, and a year costs ~365 rollup rows instead of
// a scan of every contract (scripts/bench/analytics.ts measures it at a million contracts).
import type { DataScope } from "../domain/reports";
import {
  monthPlan,
  rollupPlan,
  type AnalyticsWindow,
  type DashboardAggregates,
  type RollupPlan,
  type UsageGroup,
  type UsageRow,
} from "../domain/analytics";
import { all, bucketSql, escrowClause, msBetween, within, type Clause } from "./reports";

/**
 * The live part of a window: its edge ranges (JSON `[[lo, hi], …]`, inclusive) and the dirty days between its whole
 * days, as `ranges(lo, hi)`. Joined as the outer loop (CROSS JOIN) so each range is one index range scan.
 */
function rangesCte(plan: RollupPlan): Clause {
  return {
    sql: `ranges(lo, hi) AS (
      SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)
      UNION ALL SELECT day, day || 'T~' FROM analytics_dirty WHERE day >= ? AND day <= ?)`,
    params: [JSON.stringify(plan.live), plan.firstDay, plan.lastDay],
  };
}

/** The clean whole days of the plan in the rollup (alias `a`). */
function rolledDays(plan: RollupPlan): Clause {
  return {
    sql: "a.day >= ? AND a.day <= ? AND a.day NOT IN (SELECT day FROM analytics_dirty WHERE day >= ? AND day <= ?)",
    params: [plan.firstDay, plan.lastDay, plan.firstDay, plan.lastDay],
  };
}

/** One branch of a scope on the rollup: its FROM (alias `a`) and filter. */
interface Branch extends Clause {
  from: string;
}

/**
 * Contracts the scope covers, on the source (`c`) and on the rollup (`a`): which grain, and the rollup filter as
 * branches to add up (a user's own rows, then their teams' rows owned by others: no OR, so each branch is a range
 * of one partial index, and nothing counts twice). The grain is inlined: a partial index needs the literal.
 */
function scopeClauses(
  scope: DataScope,
  admin: "all" | "owner" | "team" | "type",
): { source: Clause; grain: string; rollup: Branch[] } {
  if (scope.kind === "team") {
    return {
      source: { sql: "c.team_id = ?", params: [scope.teamId] },
      grain: "full",
      rollup: [
        { from: "analytics_daily a INDEXED BY analytics_daily_team_idx", sql: "a.team_id = ?", params: [scope.teamId] },
      ],
    };
  }
  if (scope.kind === "user") {
    const teams = "(SELECT team_id FROM team_members WHERE user_id = ?)";
    return {
      source: { sql: `(c.owner_id = ? OR c.team_id IN ${teams})`, params: [scope.userId, scope.userId] },
      grain: "full",
      rollup: [
        {
          from: "analytics_daily a INDEXED BY analytics_daily_owner_idx",
          sql: "a.owner_id = ?",
          params: [scope.userId],
        },
        {
          // Members first (CROSS JOIN keeps that order), then each team's rows: the planner would otherwise scan the
          // year's rows of every owner for the few teams' ones.
          from: "team_members tm CROSS JOIN analytics_daily a INDEXED BY analytics_daily_team_idx",
          sql: "tm.user_id = ? AND a.team_id = tm.team_id AND a.owner_id <> ?",
          params: [scope.userId, scope.userId],
        },
      ],
    };
  }
  return {
    source: { sql: "1 = 1", params: [] },
    grain: admin,
    rollup: [{ from: "analytics_daily a", sql: "1 = 1", params: [] }],
  };
}

/** `select(branch)` over each rollup branch of the scope, joined by UNION ALL. */
function branches(rollup: Branch[], select: (branch: Branch) => Clause): Clause {
  const parts = rollup.map(select);
  return { sql: parts.map((p) => p.sql).join(" UNION ALL "), params: parts.flatMap((p) => p.params) };
}

export async function dashboardAggregates(
  d1: D1Database,
  scope: DataScope,
  w: AnalyticsWindow,
): Promise<DashboardAggregates> {
  const plan = rollupPlan(w);
  const ranges = rangesCte(plan);
  const days = rolledDays(plan);
  const s = scopeClauses(scope, "all");
  const rolled = branches(s.rollup, (b) => ({
    sql: `SELECT ${bucketSql(w.granularity, "a.day")}, a.created, a.sent, a.sent_executed, a.executed, a.execute_ms
      FROM ${b.from} WHERE a.grain = '${s.grain}' AND ${days.sql} AND ${b.sql}`,
    params: [...days.params, ...b.params],
  }));
  const live = (column: string, values: string) =>
    `SELECT ${column} AS at, ${values} FROM ranges r CROSS JOIN contracts c
     WHERE ${column} >= r.lo AND ${column} <= r.hi AND ${s.source.sql}`;
  const contractsSql = `WITH ${ranges.sql},
    ev(at, created, sent, sent_executed, executed, ms) AS (
      ${live("c.created_at", "1, 0, 0, 0, NULL")}
      UNION ALL ${live("c.sent_at", "0, 1, c.activated_at IS NOT NULL, 0, NULL")}
      UNION ALL ${live("c.activated_at", `0, 0, 0, 1, ${msBetween("c.sent_at", "c.activated_at")}`)}),
    parts(bucket, created, sent, sent_executed, executed, ms) AS (
      SELECT ${bucketSql(w.granularity, "at")}, created, sent, sent_executed, executed, ms FROM ev
      UNION ALL ${rolled.sql})
    SELECT bucket, SUM(created) AS created, SUM(sent) AS sent, SUM(sent_executed) AS sentExecuted,
      SUM(executed) AS executed, COALESCE(SUM(ms), 0) AS ms
    FROM parts GROUP BY bucket`;
  const contractParams = [
    ...ranges.params,
    ...s.source.params,
    ...s.source.params,
    ...s.source.params,
    ...rolled.params,
  ];
  const [contracts, escrowVolume] = await Promise.all([
    all<DashboardAggregates["contracts"][number]>(d1, contractsSql, contractParams),
    escrowVolumeOf(d1, scope, w, plan),
  ]);
  return { contracts, escrowVolume };
}

/**
 * Escrows funded in the window per currency. The rollup keeps no parties, so only the admin's view (everything)
 * reads it; a user's view (escrows they are party to or bound to their teams' contracts) scans the funded index.
 */
async function escrowVolumeOf(d1: D1Database, scope: DataScope, w: AnalyticsWindow, plan: RollupPlan) {
  type Row = DashboardAggregates["escrowVolume"][number];
  if (scope.kind !== "all") {
    const e = escrowClause(scope, { period: w.period, startDate: w.startDate, endDate: w.endDate });
    return all<Row>(
      d1,
      `SELECT e.currency, COUNT(*) AS count, SUM(e.amount) AS amount FROM escrows e
       WHERE ${within("e.funded_at")} AND ${e.sql} GROUP BY e.currency`,
      [w.startDate, w.endDate, ...e.params],
    );
  }
  const ranges = rangesCte(plan);
  const days = rolledDays(plan);
  return all<Row>(
    d1,
    `WITH ${ranges.sql},
     parts(currency, count, amount) AS (
       SELECT e.currency, 1, e.amount FROM ranges r CROSS JOIN escrows e WHERE e.funded_at >= r.lo AND e.funded_at <= r.hi
       UNION ALL SELECT a.currency, a.funded, a.funded_amount FROM analytics_daily a WHERE a.grain = 'currency' AND ${days.sql})
     SELECT currency, SUM(count) AS count, SUM(amount) AS amount FROM parts GROUP BY currency HAVING SUM(count) > 0`,
    [...ranges.params, ...days.params],
  );
}

const SOURCE_COLUMN: Record<UsageGroup, string> = { user: "c.owner_id", team: "c.team_id", document_type: "c.type" };
/** '' in the rollup is "no team" (a key column cannot be NULL). */
const ROLLUP_COLUMN: Record<UsageGroup, string> = {
  user: "a.owner_id",
  team: "NULLIF(a.team_id, '')",
  document_type: "a.type",
};
const ADMIN_GRAIN = { user: "owner", team: "team", document_type: "type" } as const;

/**
 * The admin's usage from the rollups: whole clean months from the monthly grain; the other whole days — and every
 * day of a month that still has a dirty day — from the daily grain, minus the dirty days (read live).
 */
function adminUsageRollup(plan: RollupPlan, grain: string, values: string): Clause {
  const months = monthPlan(plan);
  const monthLo = `${months.firstMonth}-01`;
  const monthHi = `${months.lastMonth}-31`;
  return {
    sql: `SELECT ${values} FROM analytics_daily a WHERE a.grain = '${grain}_month' AND a.day >= ? AND a.day <= ?
        AND a.day NOT IN (SELECT substr(day, 1, 7) FROM analytics_dirty WHERE day >= ? AND day <= ?)
      UNION ALL SELECT ${values} FROM (
        SELECT json_extract(value, '$[0]') AS lo, json_extract(value, '$[1]') AS hi FROM json_each(?)
        UNION SELECT substr(day, 1, 7) || '-01', substr(day, 1, 7) || '-31' FROM analytics_dirty WHERE day >= ? AND day <= ?
      ) dr CROSS JOIN analytics_daily a
      WHERE a.grain = '${grain}' AND a.day >= dr.lo AND a.day <= dr.hi
        AND a.day NOT IN (SELECT day FROM analytics_dirty WHERE day >= ? AND day <= ?)`,
    params: [
      months.firstMonth,
      months.lastMonth,
      monthLo,
      monthHi,
      JSON.stringify(months.days),
      monthLo,
      monthHi,
      plan.firstDay,
      plan.lastDay,
    ],
  };
}

/** Contracts created in the window per owner, team or type: created, sent by now, executed by now; with labels. */
export async function usageRows(
  d1: D1Database,
  scope: DataScope,
  w: AnalyticsWindow,
  groupBy: UsageGroup,
): Promise<UsageRow[]> {
  const plan = rollupPlan(w);
  const ranges = rangesCte(plan);
  const s = scopeClauses(scope, ADMIN_GRAIN[groupBy]);
  const column = SOURCE_COLUMN[groupBy];
  const values = `${ROLLUP_COLUMN[groupBy]}, a.created, a.created_sent, a.created_executed`;
  const rolled =
    scope.kind === "all"
      ? adminUsageRollup(plan, s.grain, values)
      : branches(s.rollup, (b) => {
          const days = rolledDays(plan);
          return {
            sql: `SELECT ${values} FROM ${b.from} WHERE a.grain = 'full' AND ${days.sql} AND ${b.sql}`,
            params: [...days.params, ...b.params],
          };
        });
  const rows = await all<Omit<UsageRow, "label">>(
    d1,
    `WITH ${ranges.sql},
     parts(key, created, sent, executed) AS (
       SELECT ${column}, 1, c.sent_at IS NOT NULL, c.activated_at IS NOT NULL FROM ranges r CROSS JOIN contracts c
         WHERE c.created_at >= r.lo AND c.created_at <= r.hi AND ${s.source.sql}
       UNION ALL ${rolled.sql})
     SELECT key, SUM(created) AS created, SUM(sent) AS sent, SUM(executed) AS executed
     FROM parts GROUP BY key HAVING SUM(created) > 0`,
    [...ranges.params, ...s.source.params, ...rolled.params],
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

// Recomputing the daily analytics rollups (migration 0037) of some UTC days from the source rows: delete the days'
// rows, insert the `full` grain (owner × team × type) from contracts, derive the coarser grains from it, insert the
// escrows funded per currency, and clear the days' dirty marks — one D1 batch, so a write landing meanwhile either
// precedes the batch (and is counted) or follows it (and marks the day dirty again).
import { msBetween } from "./reports";

/** The statements rolling up `days` (YYYY-MM-DD), each bound to the days as one JSON array (any number of days). */
export function rollupSql(days: readonly string[]): { sql: string; params: string[] }[] {
  const json = JSON.stringify(days);
  const d = "d(day) AS (SELECT value FROM json_each(?))";
  const on = (column: string) => `FROM d CROSS JOIN contracts c WHERE ${column} >= d.day AND ${column} < d.day || 'T~'`;
  const metrics = "created, created_sent, created_executed, sent, sent_executed, executed, execute_ms";
  const sums =
    "SUM(created), SUM(created_sent), SUM(created_executed), SUM(sent), SUM(sent_executed), SUM(executed), SUM(execute_ms)";
  // The one-dimension grains serve GET /analytics/usage only (contracts by creation day): no rows without creations.
  const derived = (grain: string, columns: string, group: string, having = "") =>
    `SELECT '${grain}', day, ${columns}, ${sums} FROM analytics_daily
     WHERE grain = 'full' AND day IN (SELECT value FROM json_each(?)) GROUP BY day${group}${having}`;
  const created = " HAVING SUM(created) > 0";
  const months = JSON.stringify([...new Set(days.map((day) => day.slice(0, 7)))]);
  // A month's rows are the sum of its daily rows, recomputed whenever one of its days is (reads skip a month that
  // still has a dirty day).
  const monthly = (grain: string, columns: string, group: string) =>
    `SELECT '${grain}_month', m.value, ${columns}, SUM(a.created), SUM(a.created_sent), SUM(a.created_executed)
     FROM json_each(?) m CROSS JOIN analytics_daily a
     WHERE a.grain = '${grain}' AND a.day >= m.value || '-01' AND a.day <= m.value || '-31' GROUP BY m.value${group}`;
  return [
    { sql: "DELETE FROM analytics_daily WHERE day IN (SELECT value FROM json_each(?))", params: [json] },
    {
      sql: `WITH ${d},
        ev(day, owner_id, team_id, type, created, created_sent, created_executed, sent, sent_executed, executed, ms) AS (
          SELECT d.day, c.owner_id, COALESCE(c.team_id, ''), c.type, 1, c.sent_at IS NOT NULL, c.activated_at IS NOT NULL,
            0, 0, 0, 0 ${on("c.created_at")}
          UNION ALL SELECT d.day, c.owner_id, COALESCE(c.team_id, ''), c.type, 0, 0, 0, 1, c.activated_at IS NOT NULL, 0, 0
            ${on("c.sent_at")}
          UNION ALL SELECT d.day, c.owner_id, COALESCE(c.team_id, ''), c.type, 0, 0, 0, 0, 0, 1,
            COALESCE(${msBetween("c.sent_at", "c.activated_at")}, 0) ${on("c.activated_at")})
        INSERT INTO analytics_daily (grain, day, owner_id, team_id, type, ${metrics})
        SELECT 'full', day, owner_id, team_id, type, SUM(created), SUM(created_sent), SUM(created_executed), SUM(sent),
          SUM(sent_executed), SUM(executed), SUM(ms)
        FROM ev GROUP BY day, owner_id, team_id, type`,
      params: [json],
    },
    {
      sql: `INSERT INTO analytics_daily (grain, day, owner_id, team_id, type, ${metrics})
        ${derived("all", "'', '', ''", "")}
        UNION ALL ${derived("owner", "owner_id, '', ''", ", owner_id", created)}
        UNION ALL ${derived("team", "'', team_id, ''", ", team_id", created)}
        UNION ALL ${derived("type", "'', '', type", ", type", created)}`,
      params: [json, json, json, json],
    },
    {
      sql: `DELETE FROM analytics_daily WHERE grain IN ('owner_month', 'team_month', 'type_month')
        AND day IN (SELECT value FROM json_each(?))`,
      params: [months],
    },
    {
      sql: `INSERT INTO analytics_daily (grain, day, owner_id, team_id, type, created, created_sent, created_executed)
        ${monthly("owner", "a.owner_id, '', ''", ", a.owner_id")}
        UNION ALL ${monthly("team", "'', a.team_id, ''", ", a.team_id")}
        UNION ALL ${monthly("type", "'', '', a.type", ", a.type")}`,
      params: [months, months, months],
    },
    {
      sql: `WITH ${d}
        INSERT INTO analytics_daily (grain, day, currency, funded, funded_amount)
        SELECT 'currency', d.day, e.currency, COUNT(*), SUM(e.amount)
        FROM d CROSS JOIN escrows e WHERE e.funded_at >= d.day AND e.funded_at < d.day || 'T~' GROUP BY d.day, e.currency`,
      params: [json],
    },
    { sql: "DELETE FROM analytics_dirty WHERE day IN (SELECT value FROM json_each(?))", params: [json] },
  ];
}

/** Recomputes the rollups of `days` in one atomic batch. */
export async function rollUpDays(d1: D1Database, days: readonly string[]): Promise<void> {
  if (!days.length) return;
  await d1.batch(rollupSql(days).map((s) => d1.prepare(s.sql).bind(...s.params)));
}

/** Dirty days before `beforeDay` (YYYY-MM-DD), the most recent first (what dashboards read most). */
export async function dirtyDaysBefore(d1: D1Database, beforeDay: string, limit: number): Promise<string[]> {
  const { results } = await d1
    .prepare("SELECT day FROM analytics_dirty WHERE day < ? ORDER BY day DESC LIMIT ?")
    .bind(beforeDay, limit)
    .all<{ day: string }>();
  return results.map((r) => r.day);
}

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
  const derived = (grain: string, columns: string, group: string) =>
    `SELECT '${grain}', day, ${columns}, ${sums} FROM analytics_daily
     WHERE grain = 'full' AND day IN (SELECT value FROM json_each(?)) GROUP BY day${group}`;
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
        UNION ALL ${derived("owner", "owner_id, '', ''", ", owner_id")}
        UNION ALL ${derived("team", "'', team_id, ''", ", team_id")}
        UNION ALL ${derived("type", "'', '', type", ", type")}`,
      params: [json, json, json, json],
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

// Analytics bench (issue 16.3): seeds a local D1 (wrangler's getPlatformProxy: the D1 of `wrangler dev`) with
// 1,000,000 contracts over the last year (2,000 owners, 200 teams, 8 document types, every status) and 100,000
// funded escrows, rolls up their days with the cron's own statements (src/db/analytics-rollups.ts), then times the
// exact queries of GET /analytics/dashboard and /analytics/usage (src/db/analytics.ts, bundled as is) for every
// period and groupBy and prints p50/p95 per query set. Target: p95 < 500 ms.
//
//   npm run bench:analytics [-- --contracts 1000000 --runs 20 --state /tmp/escra-analytics-1m]
//
// --state keeps the seeded database in that directory and reuses it on the next run (seeding takes minutes).
// Measured: the D1 calls of one request (they run concurrently, as in the route), not the HTTP hop in front.
import { existsSync, mkdirSync, readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { getPlatformProxy } from "wrangler";
import { ROOT } from "../lib/processes.ts";
import { importWorkerModules } from "../lib/worker-code.ts";

const { values } = parseArgs({
  options: {
    contracts: { type: "string", default: "1000000" },
    runs: { type: "string", default: "20" },
    state: { type: "string" },
  },
});
const CONTRACTS = Number(values.contracts);
const RUNS = Number(values.runs);
const OWNERS = 2_000;
const TEAMS = 200;
const NOW = new Date();
const YEAR_AGO = new Date(NOW.getTime() - 365 * 86_400_000).toISOString();

// Typed here rather than imported: src/ is checked against the Workers types, scripts/ against Node's.
interface D1Like {
  prepare(sql: string): { run(): Promise<unknown> };
}
interface AnalyticsModule {
  dashboardAggregates(d1: D1Like, scope: unknown, window: unknown): Promise<unknown>;
  usageRows(d1: D1Like, scope: unknown, window: unknown, groupBy: string): Promise<unknown>;
}
interface DomainModule {
  analyticsWindow(period: string, now: Date): unknown;
}
interface RollupModule {
  rollupSql(days: readonly string[]): { sql: string; params: string[] }[];
}

/** The three modules the bench calls, bundled as the Worker runs them. */
async function loadModules(): Promise<{ db: AnalyticsModule; domain: DomainModule; rollup: RollupModule }> {
  const modules = await importWorkerModules<AnalyticsModule & DomainModule & RollupModule>("bench-analytics", [
    "src/db/analytics.ts",
    "src/domain/analytics.ts",
    "src/db/analytics-rollups.ts",
  ]);
  return { db: modules, domain: modules, rollup: modules };
}

async function migrate(d1: D1Like) {
  const dir = join(ROOT, "migrations");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) {
      const sql = statement.replace(/^\s*--.*$/gm, "").trim();
      if (sql) await d1.prepare(sql).run();
    }
  }
}

/** Seeds with node:sqlite straight into the D1 database file (a million rows through the local D1 proxy time out). */
function seed(file: string, rollup: RollupModule) {
  const sqlite = new DatabaseSync(file);
  const d1 = { prepare: (sql: string) => ({ run: () => sqlite.exec(sql) }) };
  const started = performance.now();
  sqlite.exec("PRAGMA synchronous = OFF");
  // Indexes are built once after the rows are in (a sort) instead of updated row by row (random B-tree writes).
  const indexes = sqlite
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contracts', 'escrows') AND sql IS NOT NULL",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`);
  const stamp = `'${NOW.toISOString()}'`;
  d1.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${OWNERS})
       INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       SELECT printf('usr_bench%011d', i), printf('owner%d@bench.test', i), printf('Owner %d', i), 'x', ${stamp}, ${stamp} FROM n`,
  ).run();
  d1.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${TEAMS})
       INSERT INTO teams (id, name, created_by, created_at, updated_at)
       SELECT printf('team_bench%010d', i), printf('Team %d', i), 'usr_bench00000000000', ${stamp}, ${stamp} FROM n`,
  ).run();
  // Owner k is in team k % TEAMS (a member), so a user's scope spans their own and one team's contracts.
  d1.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${OWNERS})
       INSERT INTO team_members (team_id, user_id, role, created_at, updated_at)
       SELECT printf('team_bench%010d', i % ${TEAMS}), printf('usr_bench%011d', i), 'member', ${stamp}, ${stamp} FROM n`,
  ).run();
  const chunk = 100_000;
  for (let from = 0; from < CONTRACTS; from += chunk) {
    // Spread over the year; status by i % 20: 4 drafts, 5 pending, 9 executed (active/completed), 2 cancelled.
    d1.prepare(
      `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${Math.min(CONTRACTS, from + chunk)}),
         t(i, created, s) AS (SELECT i, julianday('${YEAR_AGO}') + (i * 365.0 / ${CONTRACTS}), i % 20 FROM n)
         INSERT INTO contracts (id, title, type, status, version, owner_id, team_id, body, variables, tags, created_at, updated_at,
           sent_at, activated_at, revision)
         SELECT printf('ctr_bench%011d', i), printf('Contract %d', i), 'type' || (i % 8),
           CASE WHEN s < 4 THEN 'draft' WHEN s < 9 THEN 'pending' WHEN s < 14 THEN 'active' WHEN s < 18 THEN 'completed' ELSE 'cancelled' END,
           1, printf('usr_bench%011d', (i * 7919) % ${OWNERS}), CASE WHEN i % 10 < 3 THEN NULL ELSE printf('team_bench%010d', (i * 7919) % ${TEAMS}) END,
           'Body', '{}', '[]',
           strftime('%Y-%m-%dT%H:%M:%fZ', created), strftime('%Y-%m-%dT%H:%M:%fZ', created),
           CASE WHEN s < 4 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', created + 0.1) END,
           CASE WHEN s >= 9 AND s < 18 THEN strftime('%Y-%m-%dT%H:%M:%fZ', created + 0.1 + (i % 50) / 24.0) END, 1
         FROM t`,
    ).run();
  }
  d1.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${CONTRACTS / 10})
       INSERT INTO escrows (id, status, buyer_id, seller_id, contract_id, amount, currency, commission, seller_payout, description,
         inspection_period_hours, payment_provider, payment_status, payout_status, created_at, updated_at, funded_at, revision)
       SELECT printf('esc_bench%011d', i), 'funds_held', printf('usr_bench%011d', i % ${OWNERS}), printf('usr_bench%011d', (i + 1) % ${OWNERS}),
         printf('ctr_bench%011d', i * 10), 10000 + i % 5000, CASE WHEN i % 3 = 0 THEN 'USD' ELSE 'NGN' END, 250, 9750, 'Bench', 72, 'test',
         'paid', 'none', c, c, c, 1
       FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', julianday('${YEAR_AGO}') + i * 3650.0 / ${CONTRACTS}) AS c FROM n)`,
  ).run();
  for (const index of indexes) sqlite.exec(index.sql);
  // The triggers marked every day dirty; roll them all up with the cron's statements (it would take ~7 runs).
  const days = (sqlite.prepare("SELECT day FROM analytics_dirty ORDER BY day").all() as { day: string }[]).map(
    (r) => r.day,
  );
  const rolled = performance.now();
  for (let i = 0; i < days.length; i += 31) {
    sqlite.exec("BEGIN");
    for (const statement of rollup.rollupSql(days.slice(i, i + 31))) {
      sqlite.prepare(statement.sql).run(...statement.params);
    }
    sqlite.exec("COMMIT");
  }
  const rows = sqlite.prepare("SELECT grain, COUNT(*) AS n FROM analytics_daily GROUP BY grain").all();
  console.log(
    `rolled up ${days.length} days in ${((performance.now() - rolled) / 1000).toFixed(1)} s:`,
    rows.map((r) => `${r.grain} ${Number(r.n).toLocaleString("en-US")}`).join(", "),
  );
  d1.prepare("ANALYZE").run();
  sqlite.close();
  return performance.now() - started;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(label: string, runs: number, fn: () => Promise<unknown>) {
  await fn(); // warm the page cache once, as a serving database would be
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const row = { label, p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples.at(-1)! };
  console.log(
    `${label.padEnd(48)} p50 ${row.p50.toFixed(1).padStart(7)} ms   p95 ${row.p95.toFixed(1).padStart(7)} ms   max ${row.max.toFixed(1).padStart(7)} ms`,
  );
  return row;
}

const work = mkdtempSync(join(tmpdir(), "escra-bench-analytics-"));
// wrangler's local platform (the D1 of `wrangler dev`): migrated through it, seeded in its SQLite file while it is
// stopped, then opened again for the timed queries. Throwaway state unless --state names a directory to keep.
const persist = { path: values.state ?? join(work, "state") };
const seededMark = join(persist.path, "escra-bench-seeded.json");
const options = { configPath: join(ROOT, "wrangler.toml"), persist };
const PERIODS = ["day", "week", "month", "quarter", "year"] as const;
const GROUPS = ["user", "team", "document_type"] as const;
try {
  const { db, domain, rollup } = await loadModules();
  if (existsSync(seededMark)) {
    console.log(`reusing the database seeded in ${persist.path}: ${readFileSync(seededMark, "utf8")}`);
  } else {
    mkdirSync(persist.path, { recursive: true });
    const platform = await getPlatformProxy<{ DB: D1Like }>(options);
    await migrate(platform.env.DB);
    await platform.dispose();
    console.log(
      `seeding ${CONTRACTS.toLocaleString("en-US")} contracts, ${(CONTRACTS / 10).toLocaleString("en-US")} escrows…`,
    );
    const ms = seed(findSqlite(persist.path), rollup);
    console.log(`seeded and rolled up in ${(ms / 1000).toFixed(1)} s`);
    writeFileSync(seededMark, JSON.stringify({ contracts: CONTRACTS, at: NOW.toISOString() }));
  }
  const file = findSqlite(persist.path);
  console.log(`${RUNS} timed runs per line\n`);
  const platform = await getPlatformProxy<{ DB: D1Like }>(options);
  const d1 = platform.env.DB;
  const all = { kind: "all" as const };
  const user = { kind: "user" as const, userId: "usr_bench00000000042" };
  const raw = d1 as unknown as { prepare(sql: string): { all(): Promise<{ results: Record<string, unknown>[] }> } };
  // The floor: what one round trip to D1 costs on this machine right now (load from other processes shows here).
  const rows = [await time("baseline: SELECT 1", RUNS, () => raw.prepare("SELECT 1").all())];
  const plan = await raw
    .prepare(`EXPLAIN QUERY PLAN SELECT substr(a.day, 1, 7) AS b, SUM(a.created) FROM analytics_daily a
      WHERE a.grain = 'all' AND a.day >= '${YEAR_AGO.slice(0, 10)}' AND a.day <= '${NOW.toISOString().slice(0, 10)}'
      GROUP BY b`)
    .all();
  console.log(`plan of the rollup read: ${plan.results.map((r) => r.detail).join("; ")}\n`);
  const measure = async (label: string, fn: () => Promise<unknown>) => {
    try {
      rows.push(await time(label, RUNS, fn));
    } catch (err) {
      console.log(`${label.padEnd(48)} FAILED: ${err instanceof Error ? err.message : String(err)}`);
      rows.push({ label, p50: Infinity, p95: Infinity, max: Infinity });
    }
  };
  const year = domain.analyticsWindow("year", NOW);
  for (const [who, scope] of [
    ["admin", all],
    ["user", user],
  ] as const) {
    for (const period of PERIODS) {
      const w = domain.analyticsWindow(period, NOW);
      await measure(`dashboard period=${period} (${who})`, () => db.dashboardAggregates(d1, scope, w));
    }
  }
  for (const groupBy of GROUPS) {
    for (const period of PERIODS) {
      const w = domain.analyticsWindow(period, NOW);
      await measure(`usage groupBy=${groupBy} period=${period} (admin)`, () => db.usageRows(d1, all, w, groupBy));
    }
    await measure(`usage groupBy=${groupBy} period=year (user)`, () => db.usageRows(d1, user, year, groupBy));
  }
  await platform.dispose();

  // The same SQL on the same file through node:sqlite, one statement after another: the engine's share of the time
  // (what remains once the local D1 proxy's round trips, inflated by a loaded machine, are taken out).
  console.log("\nengine only (node:sqlite on the same file, same SQL, queries run one after another):");
  const sqlite = new DatabaseSync(file, { readOnly: true });
  const engine = {
    prepare(sql: string) {
      const statement = sqlite.prepare(sql);
      const bound = (params: unknown[]) => ({ all: async () => ({ results: statement.all(...(params as never[])) }) });
      return { bind: (...params: unknown[]) => bound(params), run: async () => statement.run(), all: bound([]).all };
    },
  };
  for (const [who, scope] of [
    ["admin", all],
    ["user", user],
  ] as const) {
    await measure(`engine: dashboard period=year (${who})`, () => db.dashboardAggregates(engine, scope, year));
    for (const groupBy of GROUPS) {
      await measure(`engine: usage groupBy=${groupBy} period=year (${who})`, () =>
        db.usageRows(engine, scope, year, groupBy),
      );
    }
  }
  sqlite.close();
  const worst = Math.max(...rows.slice(1).map((r) => r.p95));
  console.log(`\nworst p95: ${worst.toFixed(1)} ms (target < 500 ms) → ${worst < 500 ? "PASS" : "FAIL"}`);
  if (worst >= 500) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The one D1 database file under the persisted state. */
function findSqlite(dir: string): string {
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    // D1's file sits under the D1 object's directory (`…/miniflare-D1DatabaseObject/<id>.sqlite`).
    if (entry.includes("D1DatabaseObject") && entry.endsWith(".sqlite")) return join(dir, entry);
  }
  throw new Error(`no D1 database file under ${dir}`);
}

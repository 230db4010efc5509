// `npm run bench`: bundles the Worker as `wrangler deploy` would, serves that bundle with its own Anvil and
// `wrangler dev` on free loopback ports with throwaway state, drives each scenario of scripts/bench/scenarios.ts
// with autocannon from this process, prints the figures, and stops everything.
// Options: --duration <s> (default 10) --warmup <s> (default 2) --connections <n> (default 10) --only a,b
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localAnchorNetworks, startAnvil } from "./lib/anvil.ts";
import { ensureDocsAssets } from "./lib/docs-assets.ts";
import { freePort } from "./lib/ports.ts";
import { ROOT, supervise } from "./lib/processes.ts";
import { applyLocalMigrations, buildWorker, describeHealth, ensureDevVars, fetchHealth, startWorker } from "./lib/worker.ts";
import { measure, settle, type Measurement } from "./bench/load.ts";
import { formatReport } from "./bench/report.ts";
import { BASELINE, scenarios } from "./bench/scenarios.ts";
import { formatWebhookBench, runWebhookBench, type WebhookBenchResult } from "./bench-webhooks.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    only: { type: "string" },
  },
});
const durationSeconds = Number(args.duration);
const warmupSeconds = Number(args.warmup);
const connections = Number(args.connections);
const only = args.only?.split(",").map((s) => s.trim());
const selected = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
// Not an HTTP scenario: events through the queues to partner endpoints (scripts/bench-webhooks.ts).
const WEBHOOK_FANOUT = "webhook-fanout";
const runFanout = !only || only.includes(WEBHOOK_FANOUT);
if (selected.length === 0 && !runFanout) {
  throw new Error(`no scenario named ${args.only}; known: ${[...scenarios.map((s) => s.name), WEBHOOK_FANOUT].join(", ")}`);
}

const BENCH_DIR = join(ROOT, ".bench");
mkdirSync(BENCH_DIR, { recursive: true });
// Per-run state and bundle, so concurrent runs (and earlier ones) cannot share D1/DO files; removed on exit,
// which comes after supervise() has stopped wrangler.
const RUN_DIR = mkdtempSync(join(BENCH_DIR, "run-"));
const STATE_DIR = join(RUN_DIR, "state");
const BUILD_DIR = join(RUN_DIR, "build");
process.on("exit", () => rmSync(RUN_DIR, { recursive: true, force: true }));

await supervise(async (group) => {
  ensureDevVars();
  ensureDocsAssets();
  mkdirSync(STATE_DIR);
  await applyLocalMigrations({ persistTo: STATE_DIR, quiet: true });
  // The deployable bundle, frozen: other work in the tree must not make wrangler reload mid-measurement.
  const script = await buildWorker(BUILD_DIR);

  const anvilUrl = await startAnvil(group, { port: await freePort(), quiet: true });
  const baseUrl = await startWorker(group, {
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: STATE_DIR,
    script,
    quiet: true,
    logLevel: "warn",
    vars: {
      ANCHOR_NETWORKS: localAnchorNetworks(anvilUrl),
      // Every request comes from 127.0.0.1: lift the per-client limit so we measure work, not 429s.
      RATE_LIMIT_PER_MINUTE: "1000000000",
      // Same for the identity abuse limits (login per IP and per account); ignored when ENVIRONMENT=production.
      AUTH_LIMIT_MULTIPLIER: "1000000000",
    },
  });
  const health = await fetchHealth(baseUrl);
  if (health?.status !== "healthy") throw new Error(`worker is not healthy: ${health ? describeHealth(health) : "no answer"}`);
  console.log(`[bench] worker ${baseUrl}, anvil ${anvilUrl}; ${selected.length} scenario(s), ` +
    `${warmupSeconds} s warm-up + ${durationSeconds} s each, ${connections} connections`);

  const results: Measurement[] = [];
  // A scenario whose setup fails is reported and skipped; the others still run, and the exit code says so.
  const broken: string[] = [];
  for (const scenario of selected) {
    try {
      const prepared = (await scenario.setup?.({ baseUrl })) ?? {};
      if (warmupSeconds > 0) await measure(baseUrl, scenario, prepared, { durationSeconds: warmupSeconds, connections });
      await settle(baseUrl);
      const result = await measure(baseUrl, scenario, prepared, { durationSeconds, connections });
      await settle(baseUrl);
      if (result.requests === 0) throw new Error(`no response completed within ${durationSeconds} s`);
      console.log(`[bench] ${scenario.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} ms`);
      results.push(result);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`[bench] ${scenario.name}: NOT MEASURED: ${reason}`);
      broken.push(`${scenario.name} (${reason.slice(0, 200)})`);
    }
  }

  // Load average and CPU count go into the header: on a shared machine they explain most of the variance.
  const header = `Escra bench ${new Date().toISOString()} — deploy bundle on wrangler dev (local workerd), loopback, ` +
    `${connections} connections, ${durationSeconds} s per scenario; ${cpus().length} CPUs, ` +
    `load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; Node ${process.version}`;
  const report = formatReport(results, BASELINE, header);
  console.log(`\n${report}\n`);
  let webhookFanout: WebhookBenchResult | null = null;
  if (runFanout) {
    try {
      webhookFanout = await runWebhookBench({ baseUrl, endpoints: 10, events: 100 });
      console.log(`${formatWebhookBench(webhookFanout)}\n`);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`[bench] ${WEBHOOK_FANOUT}: NOT MEASURED: ${reason}`);
      broken.push(`${WEBHOOK_FANOUT} (${reason.slice(0, 200)})`);
    }
  }
  const file = join(BENCH_DIR, `results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ header, connections, durationSeconds, results, webhookFanout, notMeasured: broken }, null, 2));
  console.log(`[bench] raw figures: ${file}`);
  if (broken.length > 0) throw new Error(`[bench] not measured: ${broken.join("; ")}`);
});

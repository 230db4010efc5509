// `npm run bench`: bundles the Worker as `wrangler deploy` would, serves that bundle with its own Anvil and
// `wrangler dev` on free loopback ports with throwaway state, drives each scenario of scripts/bench/scenarios.ts
// with autocannon from this process, prints the figures, and stops everything.
// Options: --duration <s> (default 10) --warmup <s> (default 2) --connections <n> (default 10) --only a,b
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localAnchorNetworks, startAnvil } from "./lib/anvil.ts";
import { ensureDocsAssets } from "./lib/docs-assets.ts";
import { freePort } from "./lib/ports.ts";
import { BENCH_DIR, startBenchWorker } from "./lib/bench-worker.ts";
import { run, supervise } from "./lib/processes.ts";
import { describeHealth, fetchHealth } from "./lib/worker.ts";
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
/** Standalone benches `npm run bench` runs after the HTTP scenarios (each starts what it needs). */
const COMPANION_BENCHES = [
  ["bench-merkle", "scripts/bench-merkle.ts", "--runs", "1"],
  ["bench-ws-contract", "scripts/bench-ws-contract.ts", "--n", "100,1000", "--rounds", "10"],
  ["bench-pdf", "scripts/bench-pdf.ts", "--runs", "5"],
] as const;
const runFanout = !only || only.includes(WEBHOOK_FANOUT);
if (selected.length === 0 && !runFanout) {
  throw new Error(`no scenario named ${args.only}; known: ${[...scenarios.map((s) => s.name), WEBHOOK_FANOUT].join(", ")}`);
}

await supervise(async (group) => {
  ensureDocsAssets();
  const anvilUrl = await startAnvil(group, { port: await freePort(), quiet: true });
  const baseUrl = await startBenchWorker(group, "run", { ANCHOR_NETWORKS: localAnchorNetworks(anvilUrl) });
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
  // The whole suite also covers what is not an HTTP scenario: Merkle batches and contract-room WebSocket fan-out.
  if (!only) {
    for (const [name, script, ...rest] of COMPANION_BENCHES) {
      try {
        await run(name, process.execPath, [script, ...rest]);
      } catch (err) {
        broken.push(`${name} (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`);
      }
    }
  }
  if (broken.length > 0) throw new Error(`[bench] not measured: ${broken.join("; ")}`);
});

// `npm run bench`: issue 18's table. Bundles the Worker as `wrangler deploy` would, serves that bundle with its own
// Anvil and `wrangler dev` on free loopback ports with throwaway state, starts the bare reference Worker
// (scripts/bench/bare, same wrangler), drives each scenario of scripts/bench/scenarios.ts with autocannon from this
// process, prints each row's ratio to the bare Worker measured in the same run and workerd's RSS under the load,
// and stops everything.
// Options: --duration <s> (default 10) --warmup <s> (default 2) --connections <n> (default 32) --only a,b
//          --all (also the extra scenarios, the webhook fan-out and the companion benches)
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localAnchorNetworks, startAnvil } from "./lib/anvil.ts";
import { ensureDocsAssets } from "./lib/docs-assets.ts";
import { freePort } from "./lib/ports.ts";
import { BENCH_DIR, startBenchWorker } from "./lib/bench-worker.ts";
import { run, supervise } from "./lib/processes.ts";
import { describeHealth, fetchHealth, startWorker } from "./lib/worker.ts";
import { passwordHashMs } from "./bench/hash-cost.ts";
import { measure, settle, workerdRss, type Measurement } from "./bench/load.ts";
import { formatReport, type Row } from "./bench/report.ts";
import { BASELINE, scenarios } from "./bench/scenarios.ts";
import { formatWebhookBench, runWebhookBench, type WebhookBenchResult } from "./bench-webhooks.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    only: { type: "string" },
    all: { type: "boolean", default: false },
  },
});
const durationSeconds = Number(args.duration);
const warmupSeconds = Number(args.warmup);
const connections = Number(args.connections);
const only = args.only?.split(",").map((s) => s.trim());
// The bare Worker always runs: every ratio needs it.
const selected = scenarios.filter((s) => s.name === BASELINE || (only ? only.includes(s.name) : args.all || !s.extra));
// Not an HTTP scenario: events through the queues to partner endpoints (scripts/bench-webhooks.ts).
const WEBHOOK_FANOUT = "webhook-fanout";
/** Standalone benches `npm run bench -- --all` runs after the HTTP scenarios (each starts what it needs). */
const COMPANION_BENCHES = [
  ["bench-merkle", "scripts/bench-merkle.ts", "--runs", "1"],
  ["bench-ws-contract", "scripts/bench-ws-contract.ts", "--n", "100,1000", "--rounds", "10"],
  ["bench-pdf", "scripts/bench-pdf.ts", "--runs", "5"],
] as const;
const runFanout = only ? only.includes(WEBHOOK_FANOUT) : args.all;
if (only && selected.length === 1 && !runFanout) {
  throw new Error(
    `no scenario named ${args.only}; known: ${[...scenarios.map((s) => s.name), WEBHOOK_FANOUT].join(", ")}`,
  );
}

await supervise(async (group) => {
  ensureDocsAssets();
  const anvilUrl = await startAnvil(group, { port: await freePort(), quiet: true });
  const bareUrl = await startWorker(group, {
    name: "wrangler-bare",
    config: "scripts/bench/bare/wrangler.toml",
    port: await freePort(),
    quiet: true,
    logLevel: "warn",
  });
  const bareGroup = group.members.at(-1)!.child.pid!;
  const baseUrl = await startBenchWorker(group, "run", { ANCHOR_NETWORKS: localAnchorNetworks(anvilUrl) });
  const escraGroup = group.members.at(-1)!.child.pid!;
  const health = await fetchHealth(baseUrl);
  if (health?.status !== "healthy")
    throw new Error(`worker is not healthy: ${health ? describeHealth(health) : "no answer"}`);
  console.log(
    `[bench] worker ${baseUrl}, bare ${bareUrl}, anvil ${anvilUrl}; ${selected.length} scenario(s), ` +
      `${warmupSeconds} s warm-up + ${durationSeconds} s each, ${connections} connections`,
  );

  const hashMs = passwordHashMs();
  const results: Measurement[] = [];
  const rows: Row[] = [];
  const bare = new Map<number, Measurement>();
  // A scenario whose setup fails is reported and skipped; the others still run, and the exit code says so.
  const broken: string[] = [];
  for (const scenario of selected) {
    const url = scenario.bare ? bareUrl : baseUrl;
    const rss = () => workerdRss(scenario.bare ? bareGroup : escraGroup);
    try {
      const prepared = (await scenario.setup?.({ baseUrl: url })) ?? {};
      // A setup that sent contracts leaves queue work behind (signing emails, events); let it drain first.
      if (scenario.setup) await settle(url, 100, 60_000);
      for (const run of scenario.runs ?? [{ connections: "load" }]) {
        const c = run.connections === "load" ? connections : run.connections;
        if (warmupSeconds > 0)
          await measure(url, scenario, prepared, { durationSeconds: warmupSeconds, connections: c });
        await settle(url);
        const result = await measure(url, scenario, prepared, { durationSeconds, connections: c, rss });
        await settle(url);
        // Kept in the table (0 req/s, its timeouts counted as failures): a row that vanished would read as not run.
        if (result.requests === 0)
          console.error(`[bench] ${scenario.name} c=${c}: no response completed within ${durationSeconds} s`);
        const rate =
          result.flowsPerSecond === undefined
            ? `${result.requestsPerSecond.toFixed(0)} req/s`
            : `${result.flowsPerSecond.toFixed(1)} flows/s`;
        console.log(
          `[bench] ${scenario.name} c=${c}: ${rate}, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
            `RSS ${result.rssMiB?.toFixed(0) ?? "?"} MiB`,
        );
        results.push(result);
        if (scenario.bare) bare.set(c, result);
        rows.push({
          label: scenario.label ?? scenario.name,
          measurement: result,
          ...(run.target ? { target: run.target } : {}),
        });
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`[bench] ${scenario.name}: NOT MEASURED: ${reason}`);
      broken.push(`${scenario.name} (${reason.slice(0, 200)})`);
    }
  }

  // Load average and CPU count go into the header: on a shared machine they explain most of the variance.
  const header =
    `Escra bench ${new Date().toISOString()} — deploy bundle on wrangler dev (local workerd), loopback, ` +
    `${connections} connections, ${durationSeconds} s per scenario; ${cpus().length} CPUs, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; Node ${process.version}`;
  const report = formatReport(rows, { bare, hashMs }, header);
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
  writeFileSync(
    file,
    JSON.stringify(
      { header, connections, durationSeconds, hashMs, results, webhookFanout, notMeasured: broken },
      null,
      2,
    ),
  );
  console.log(`[bench] raw figures: ${file}`);
  // The whole suite also covers what is not an HTTP scenario: Merkle batches and contract-room WebSocket fan-out.
  if (args.all) {
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

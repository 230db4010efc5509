// Drives one scenario with autocannon over loopback, reduces every response's latency to percentiles, and samples
// the serving workerd's resident memory while the load runs.
import { readFileSync, readdirSync } from "node:fs";
import autocannon, { type Result } from "autocannon";
import type { PreparedRequest, Scenario } from "./scenarios.ts";

export interface LoadOptions {
  durationSeconds: number;
  connections: number;
  /** Resident set size of the serving processes in bytes (sampled every 250 ms during the load). */
  rss?: () => number;
}

export interface Measurement {
  name: string;
  connections: number;
  /** Completed flows per second, for flow scenarios (every step answered 2xx). */
  flowsPerSecond?: number;
  /** Highest workerd RSS seen during the load, MiB. */
  rssMiB?: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Responses with another status than expected, connection errors and timeouts. */
  failures: number;
  statuses: Record<number, number>;
}

export async function measure(
  baseUrl: string,
  scenario: Scenario,
  prepared: PreparedRequest,
  options: LoadOptions,
): Promise<Measurement> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const expected = scenario.expectStatus ?? 200;
  let flows = 0;
  let rssMax = 0;
  const sampler = options.rss ? setInterval(() => (rssMax = Math.max(rssMax, options.rss!())), 250) : undefined;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${baseUrl}${prepared.path ?? scenario.path}`,
        method: scenario.method,
        ...(prepared.headers ? { headers: prepared.headers } : {}),
        ...(prepared.body !== undefined ? { body: prepared.body } : {}),
        ...(prepared.next
          ? { requests: [{ setupRequest: (req: Record<string, any>) => nextRequest(req, prepared) }] }
          : {}),
        ...(prepared.flow ? { requests: flowRequests(prepared, () => flows++) } : {}),
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 10,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on("response", (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  if (sampler) clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const unexpected = Object.entries(statuses)
    .filter(([status]) => (prepared.flow ? Number(status) >= 300 : Number(status) !== expected))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    name: scenario.name,
    connections: options.connections,
    ...(prepared.flow ? { flowsPerSecond: flows / result.duration } : {}),
    ...(rssMax > 0 ? { rssMiB: rssMax / 2 ** 20 } : {}),
    requests: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    failures: unexpected + result.errors + result.timeouts,
    statuses,
  };
}

// autocannon's request objects are untyped records; a scenario's `next` overrides path, headers and body.
function nextRequest(req: Record<string, any>, prepared: PreparedRequest): Record<string, any> {
  const n = prepared.next!();
  return {
    ...req,
    ...(n.path ? { path: n.path } : {}),
    ...(n.headers ? { headers: { ...req.headers, ...n.headers } } : {}),
    ...(n.body !== undefined ? { body: n.body } : {}),
  };
}

// A flow's steps as autocannon requests; the last step's 2xx counts one completed flow.
function flowRequests(prepared: PreparedRequest, completed: () => void): Record<string, any>[] {
  const steps = prepared.flow!;
  return steps.map((step, i) => ({
    method: step.method,
    ...(step.body !== undefined ? { body: step.body } : {}),
    ...(step.headers ? { headers: step.headers } : {}),
    setupRequest: (req: Record<string, any>, context: Record<string, unknown>) => ({
      ...req,
      path: typeof step.path === "function" ? step.path(context) : step.path,
    }),
    onResponse: (status: number, body: string, context: Record<string, unknown>) => {
      step.onResponse?.(status, body, context);
      if (i === steps.length - 1 && status < 300) completed();
    },
  }));
}

/** Resident set size (bytes) of every `workerd` process in the process group `pgid` (Linux /proc), 0 elsewhere. */
export function workerdRss(pgid: number): number {
  let total = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command: state ppid pgrp …
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const group = Number(stat.slice(close + 2).split(" ")[2]);
      if (group !== pgid || !name.startsWith("workerd")) continue;
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // the process ended between listing and reading
    }
  }
  return total;
}

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Waits until the Worker is idle again: requests still in flight when a run ends (a slow scenario, a warm-up)
 * would otherwise eat into the next scenario's figures. Idle = three sequential pings each under `fastMs`; gives up
 * after `timeoutMs` (on a loaded machine ping may never get under `fastMs`: waiting longer only lengthens the run).
 */
export async function settle(baseUrl: string, fastMs = 100, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let fast = 0;
  while (fast < 3 && Date.now() < deadline) {
    const started = performance.now();
    try {
      await (await fetch(`${baseUrl}/api/v1/ping`, { signal: AbortSignal.timeout(5_000) })).arrayBuffer();
    } catch {
      // a timeout counts as slow
    }
    fast = performance.now() - started < fastMs ? fast + 1 : 0;
  }
}

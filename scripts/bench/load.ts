// Drives one scenario with autocannon over loopback and reduces every response's latency to percentiles.
import autocannon, { type Result } from "autocannon";
import type { PreparedRequest, Scenario } from "./scenarios.ts";

export interface LoadOptions {
  durationSeconds: number;
  connections: number;
}

export interface Measurement {
  name: string;
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
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${baseUrl}${prepared.path ?? scenario.path}`,
        method: scenario.method,
        ...(prepared.headers ? { headers: prepared.headers } : {}),
        ...(prepared.body !== undefined ? { body: prepared.body } : {}),
        ...(prepared.next ? { requests: [{ setupRequest: (req: Record<string, any>) => nextRequest(req, prepared) }] } : {}),
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
  latencies.sort((a, b) => a - b);
  const unexpected = Object.entries(statuses)
    .filter(([status]) => Number(status) !== expected)
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    name: scenario.name,
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
  return { ...req, ...(n.path ? { path: n.path } : {}), ...(n.headers ? { headers: { ...req.headers, ...n.headers } } : {}), ...(n.body !== undefined ? { body: n.body } : {}) };
}

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Waits until the Worker is idle again: requests still in flight when a run ends (a slow scenario, a warm-up)
 * would otherwise eat into the next scenario's figures. Idle = three sequential pings each under `fastMs`.
 */
export async function settle(baseUrl: string, fastMs = 100, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let fast = 0;
  while (fast < 3 && Date.now() < deadline) {
    const started = performance.now();
    try {
      await (await fetch(`${baseUrl}/api/v1/ping`, { signal: AbortSignal.timeout(10_000) })).arrayBuffer();
    } catch {
      // a timeout counts as slow
    }
    fast = performance.now() - started < fastMs ? fast + 1 : 0;
  }
}

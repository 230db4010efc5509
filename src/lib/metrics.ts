// Request metrics, collected per isolate and flushed to the MetricsRoom Durable Object in the background.
//
// Cost per request: one Map lookup and a few integer increments (no D1 write, no DO round trip). An isolate sends
// its accumulated counters to MetricsRoom in `waitUntil` at most once every FLUSH_INTERVAL_MS, so the DO sees about
// one RPC per isolate per 10 s whatever the traffic. Accuracy: the totals /metrics reports lag by up to one flush
// interval per isolate, and counters an isolate had not flushed when the runtime evicted it are lost (a failed flush
// is merged back and retried). See README "Metrics and health".
import type { Context } from "hono";
import type { AppEnv, Bindings } from "../env";

/** Latency histogram upper bounds in seconds (Prometheus convention); the last bucket is +Inf. */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const FLUSH_INTERVAL_MS = 10_000;

/** Counters of one (method, route template, status) series. `buckets[i]` counts requests ≤ bound i (not cumulative). */
export interface RequestSeries {
  method: string;
  route: string;
  status: number;
  count: number;
  /** Sum of durations in milliseconds. */
  sumMs: number;
  /** One slot per LATENCY_BUCKETS_SECONDS bound plus one for +Inf. */
  buckets: number[];
}

let pending = new Map<string, RequestSeries>();
let lastFlush = Date.now();
let flushing = false;

function bucketIndex(ms: number): number {
  const seconds = ms / 1000;
  for (let i = 0; i < LATENCY_BUCKETS_SECONDS.length; i++) if (seconds <= LATENCY_BUCKETS_SECONDS[i]!) return i;
  return LATENCY_BUCKETS_SECONDS.length;
}

/** Adds one request to this isolate's counters. `route` must be a template (`/api/v1/contracts/:id`), never a path. */
export function countRequest(method: string, route: string, status: number, durationMs: number): void {
  const key = `${method} ${route} ${status}`;
  let series = pending.get(key);
  if (!series) {
    series = {
      method,
      route,
      status,
      count: 0,
      sumMs: 0,
      buckets: new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0),
    };
    pending.set(key, series);
  }
  series.count += 1;
  series.sumMs += durationMs;
  series.buckets[bucketIndex(durationMs)]! += 1;
}

/** Merges `batch` into `into` (used by the flush retry and by MetricsRoom). */
export function mergeSeries(into: Map<string, RequestSeries>, batch: readonly RequestSeries[]): void {
  for (const s of batch) {
    const key = `${s.method} ${s.route} ${s.status}`;
    const existing = into.get(key);
    if (!existing) {
      into.set(key, { ...s, buckets: [...s.buckets] });
      continue;
    }
    existing.count += s.count;
    existing.sumMs += s.sumMs;
    s.buckets.forEach((n, i) => (existing.buckets[i] = (existing.buckets[i] ?? 0) + n));
  }
}

export function metricsRoom(env: Pick<Bindings, "METRICS_ROOM">) {
  return env.METRICS_ROOM.get(env.METRICS_ROOM.idFromName("global"));
}

/** Sends this isolate's counters to MetricsRoom now; on failure they are kept for the next flush. */
export async function flushRequestMetrics(env: Pick<Bindings, "METRICS_ROOM">): Promise<void> {
  if (pending.size === 0 || flushing) return;
  const batch = [...pending.values()];
  pending = new Map();
  lastFlush = Date.now();
  flushing = true;
  try {
    await metricsRoom(env).ingestRequests(batch);
  } catch {
    mergeSeries(pending, batch);
  } finally {
    flushing = false;
  }
}

/**
 * Called once per request (lib/request-context.ts): counts it and, when the interval has passed, flushes in the
 * background. Requests served without an ExecutionContext (app.request in tests) are counted and flushed later.
 */
export function recordRequestMetrics(c: Context<AppEnv>, route: string, durationMs: number): void {
  countRequest(c.req.method, route, c.res.status, durationMs);
  if (Date.now() - lastFlush < FLUSH_INTERVAL_MS || flushing) return;
  let waitUntil: ((p: Promise<unknown>) => void) | undefined;
  try {
    const ctx = c.executionCtx;
    waitUntil = (p) => ctx.waitUntil(p);
  } catch {
    return;
  }
  waitUntil(flushRequestMetrics(c.env));
}

/**
 * A live room's current count of authenticated sockets, reported by the hub when it changes (one RPC per socket
 * open/close, not per message). Failures only cost accuracy of the gauge.
 */
export async function reportLiveSockets(
  env: Pick<Bindings, "METRICS_ROOM">,
  room: string,
  sockets: number,
): Promise<void> {
  try {
    await metricsRoom(env).setLiveSockets(room, sockets);
  } catch {
    // The gauge is refreshed on the room's next change or re-check.
  }
}

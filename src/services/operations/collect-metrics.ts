// collectMetrics: everything GET /api/v1/metrics publishes, as Prometheus text. Request counters come from
// MetricsRoom (after flushing this isolate's own), the rest from D1 at scrape time.
import type { Bindings } from "../../env";
import { operationalCounts, type OperationalCounts } from "../../db/operations";
import { flushRequestMetrics, LATENCY_BUCKETS_SECONDS, metricsRoom } from "../../lib/metrics";
import { renderPrometheus, type MetricFamily } from "../../lib/prometheus";
import type { MetricsSnapshot } from "../../../durable-objects/metrics-room";

/** @returns the exposition text (format 0.0.4) */
export async function collectMetrics(env: Bindings, now = new Date()): Promise<string> {
  // This isolate's counters go first, so a scrape always includes the requests this isolate served.
  await flushRequestMetrics(env);
  const [snapshot, counts] = await Promise.all([
    metricsRoom(env).snapshot() as Promise<MetricsSnapshot>,
    operationalCounts(env.DB),
  ]);
  return renderPrometheus([...requestFamilies(snapshot), ...operationalFamilies(counts, snapshot, now)]);
}

function requestFamilies(snapshot: MetricsSnapshot): MetricFamily[] {
  return [
    {
      name: "escra_http_requests_total",
      help: "HTTP requests served, by method, route template and status",
      type: "counter",
      samples: snapshot.requests.map((s) => ({
        labels: { method: s.method, route: s.route, status: s.status },
        value: s.count,
      })),
    },
    {
      name: "escra_http_request_duration_seconds",
      help: "HTTP request latency (time to the response), by method, route template and status",
      type: "histogram",
      samples: snapshot.requests.map((s) => {
        let cumulative = 0;
        return {
          labels: { method: s.method, route: s.route, status: s.status },
          buckets: LATENCY_BUCKETS_SECONDS.map((le, i) => ({ le, count: (cumulative += s.buckets[i] ?? 0) })),
          sum: s.sumMs / 1000,
          count: s.count,
        };
      }),
    },
  ];
}

const byStatus = (rows: { status: string; count: number }[]) =>
  rows.map((r) => ({ labels: { status: r.status }, value: r.count }));
const countOf = (rows: { status: string; count: number }[], status: string) =>
  rows.find((r) => r.status === status)?.count ?? 0;

function operationalFamilies(counts: OperationalCounts, snapshot: MetricsSnapshot, now: Date): MetricFamily[] {
  const succeeded = countOf(counts.webhookDeliveries, "succeeded");
  const failed = countOf(counts.webhookDeliveries, "failed");
  return [
    {
      name: "escra_queue_backlog",
      help: "Work waiting in the background queues, from D1 (webhook deliveries pending, emails queued, anchor records pending)",
      type: "gauge",
      samples: [
        { labels: { work: "webhook_deliveries" }, value: countOf(counts.webhookDeliveries, "pending") },
        { labels: { work: "emails" }, value: countOf(counts.emailDeliveries, "queued") },
        { labels: { work: "anchor_records" }, value: countOf(counts.anchorRecords, "pending") },
      ],
    },
    {
      name: "escra_dead_letters",
      help: "Dead-lettered queue messages not yet replayed, by origin queue",
      type: "gauge",
      samples: counts.deadLetters.map((r) => ({ labels: { queue: r.queue }, value: r.count })),
    },
    {
      name: "escra_webhook_deliveries",
      help: "Partner webhook deliveries by status",
      type: "gauge",
      samples: byStatus(counts.webhookDeliveries),
    },
    {
      name: "escra_webhook_delivery_success_ratio",
      help: "Share of finished webhook deliveries that succeeded (succeeded / (succeeded + failed)); 1 when none finished",
      type: "gauge",
      samples: [{ value: succeeded + failed === 0 ? 1 : succeeded / (succeeded + failed) }],
    },
    {
      name: "escra_email_deliveries",
      help: "Emails by delivery status (failed = given up after retries)",
      type: "gauge",
      samples: byStatus(counts.emailDeliveries),
    },
    {
      name: "escra_anchor_records",
      help: "Anchoring records by status",
      type: "gauge",
      samples: byStatus(counts.anchorRecords),
    },
    {
      name: "escra_anchor_lag_seconds",
      help: "Age of the oldest record still waiting to be anchored, per network (0 when none waits)",
      type: "gauge",
      samples: counts.oldestPendingAnchors.map((r) => ({
        labels: { network: r.network },
        value: Math.max(0, Math.round((now.getTime() - Date.parse(r.createdAt)) / 1000)),
      })),
    },
    {
      name: "escra_live_sockets",
      help: "Authenticated live WebSockets, by room kind (contract, escrow, feed)",
      type: "gauge",
      samples: snapshot.liveSockets.map((r) => ({ labels: { room: r.kind }, value: r.sockets })),
    },
  ];
}

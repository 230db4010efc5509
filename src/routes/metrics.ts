// GET /api/v1/metrics: Prometheus text for scrapers (Bearer METRICS_TOKEN) and admins (session or admin:read key).
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answersRaw, bearerRoute } from "../lib/openapi";
import { requireScopeOrMetricsToken } from "../lib/auth";
import { PROMETHEUS_CONTENT_TYPE } from "../lib/prometheus";
import { collectMetrics } from "../services/operations/collect-metrics";

const route = createRoute({
  ...bearerRoute("Operations", requireScopeOrMetricsToken("admin:read")),
  method: "get",
  path: "/metrics",
  summary:
    "Prometheus metrics: requests and latency by route and status, backlogs, dead letters, deliveries, anchoring lag",
  description:
    "Text exposition format 0.0.4. Authenticate with `Authorization: Bearer <METRICS_TOKEN>` (a scraper) or as an " +
    "admin (session, or an API key with `admin:read`). Request counters are summed across isolates every 10 s.",
  responses: answersRaw(
    200,
    {
      description: "the metrics",
      content: { "text/plain": { schema: z.string().openapi({ example: "escra_http_requests_total{...} 1" }) } },
    },
    "AUTH002",
    "AUTH003",
    "AUTH004",
  ),
});

export const metricsRoutes = createRouter().openapi(route, async (c) => {
  const text = await collectMetrics(c.env);
  return new Response(text, {
    headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" },
  }) as never;
});

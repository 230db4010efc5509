// Probes: GET /api/v1/health (every dependency, really, at most every 2 s per isolate), /health/detailed (admin: plus backlogs), /readiness (can
// serve: D1 answers), /liveness and /ping (the isolate runs; touch nothing).
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { bearerRoute, envelope, errorResponses, jsonContent, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { recentCheckHealth } from "../lib/health-checks";
import { publicRoute, requireScope } from "../lib/auth";
import { checkDetailedHealth, checkReadiness } from "../services/operations/check-health";

const serviceStatus = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number(),
  critical: z.boolean(),
  error: z.string().optional(),
});

export const healthSchema = z
  .object({
    status: z.enum(["healthy", "degraded", "down"]),
    services: z.object({
      database: serviceStatus,
      storage: serviceStatus,
      queue: serviceStatus,
      durableObjects: serviceStatus,
      chain: serviceStatus,
    }),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/health",
  ...openRoute("Operations", publicRoute()),
  summary: "Health of the API and each dependency",
  responses: {
    200: jsonContent(envelope(healthSchema), "healthy or degraded"),
    503: jsonContent(envelope(healthSchema), "down: a critical dependency failed"),
  },
});

// GET /api/v1/ping: touches nothing, so it measures the middleware chain alone (liveness probes, `npm run bench`).
const pingRoute = createRoute({
  method: "get",
  path: "/ping",
  ...openRoute("Operations", publicRoute()),
  summary: "Liveness: answers without touching any dependency",
  responses: { 200: jsonContent(envelope(z.object({ pong: z.literal(true) }).openapi("Pong")), "alive") },
});

const countByStatus = z.array(z.object({ status: z.string(), count: z.number().int() }));

export const detailedHealthSchema = healthSchema
  .extend({
    environment: z.string(),
    checkedAt: z.string(),
    backlog: z.object({
      webhookDeliveries: z.number().int().openapi({ description: "deliveries pending (first attempt or retry)" }),
      emails: z.number().int().openapi({ description: "emails queued" }),
      anchorRecords: z.number().int().openapi({ description: "anchor records waiting for a batch" }),
    }),
    deadLetters: z
      .array(z.object({ queue: z.string(), count: z.number().int() }))
      .openapi({ description: "dead letters not yet replayed, per origin queue" }),
    webhookDeliveries: countByStatus,
    webhookSuccessRatio: z.number().openapi({ description: "succeeded / (succeeded + failed); 1 when none finished" }),
    emailDeliveries: countByStatus,
    anchoring: z.array(z.object({ network: z.string(), lagSeconds: z.number().int() })),
    liveSockets: z.array(z.object({ room: z.string(), sockets: z.number().int() })),
  })
  .openapi("DetailedHealth");

const detailedRoute = createRoute({
  ...bearerRoute("Operations", requireScope("admin:read")),
  method: "get",
  path: "/health/detailed",
  summary: "Health of every dependency plus backlogs, dead letters, delivery outcomes, anchoring lag (admin)",
  responses: {
    200: jsonContent(envelope(detailedHealthSchema), "healthy or degraded"),
    503: jsonContent(envelope(detailedHealthSchema), "down: a critical dependency failed"),
    ...errorResponses("AUTH002", "AUTH003", "AUTH004"),
  },
});

const probeSchema = z
  .object({ status: z.enum(["ready", "not_ready", "alive"]), checks: z.record(z.string(), z.enum(["up", "down"])) })
  .openapi("Probe");

const readinessRoute = createRoute({
  method: "get",
  path: "/readiness",
  ...openRoute("Operations", publicRoute()),
  summary: "Readiness: 200 when the API can serve (D1 answers), 503 otherwise; for load balancers and deploys",
  responses: {
    200: jsonContent(envelope(probeSchema), "ready"),
    503: jsonContent(envelope(probeSchema), "not ready"),
  },
});

const livenessRoute = createRoute({
  method: "get",
  path: "/liveness",
  ...openRoute("Operations", publicRoute()),
  summary: "Liveness: answers without touching any dependency (restart the process when it stops answering)",
  responses: { 200: jsonContent(envelope(probeSchema), "alive") },
});

export const healthRoutes = createRouter()
  .openapi(route, async (c) => {
    const health = await recentCheckHealth(c.env);
    return health.status === "down" ? ok(c, health, 503) : ok(c, health, 200);
  })
  .openapi(pingRoute, (c) => ok(c, { pong: true as const }))
  .openapi(detailedRoute, async (c) => {
    const health = await checkDetailedHealth(c.env);
    return health.status === "down" ? ok(c, health, 503) : ok(c, health, 200);
  })
  .openapi(readinessRoute, async (c) => {
    const ready = await checkReadiness(c.env);
    return ready.status === "ready" ? ok(c, ready, 200) : ok(c, ready, 503);
  })
  .openapi(livenessRoute, (c) => ok(c, { status: "alive" as const, checks: {} }));

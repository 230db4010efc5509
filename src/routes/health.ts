// GET /api/v1/health: really touches every dependency and says which one is down; GET /api/v1/ping: liveness.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { checkHealth } from "../lib/health-checks";
import { publicRoute } from "../lib/auth";

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
  middleware: [publicRoute()],
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Health of the API and each dependency",
  responses: {
    200: jsonContent(envelope(healthSchema), "healthy or degraded"),
    503: jsonContent(envelope(healthSchema), "down: a critical dependency failed"),
  },
});

// GET /api/v1/ping: touches nothing, so it measures the middleware chain alone (liveness probes, `npm run bench`).
const pingRoute = createRoute({
  middleware: [publicRoute()],
  method: "get",
  path: "/ping",
  tags: ["Operations"],
  summary: "Liveness: answers without touching any dependency",
  responses: { 200: jsonContent(envelope(z.object({ pong: z.literal(true) }).openapi("Pong")), "alive") },
});

export const healthRoutes = createRouter()
  .openapi(route, async (c) => {
    const health = await checkHealth(c.env);
    return health.status === "down" ? ok(c, health, 503) : ok(c, health, 200);
  })
  .openapi(pingRoute, (c) => ok(c, { pong: true as const }));

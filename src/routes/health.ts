// GET /api/v1/health: really touches every dependency and says which one is down.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { checkHealth } from "../lib/health-checks";

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
  tags: ["Operations"],
  summary: "Health of the API and each dependency",
  responses: {
    200: jsonContent(envelope(healthSchema), "healthy or degraded"),
    503: jsonContent(envelope(healthSchema), "down: a critical dependency failed"),
  },
});

export const healthRoutes = createRouter().openapi(route, async (c) => {
  const health = await checkHealth(c.env);
  return health.status === "down" ? ok(c, health, 503) : ok(c, health, 200);
});

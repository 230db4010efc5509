// Builds the Hono app: the middleware chain every request passes, then the route modules.
import type { AppEnv } from "./env";
import { createRouter } from "./lib/router";
import { requestContext } from "./lib/request-context";
import { corsFromEnv, securityHeaders } from "./lib/security-headers";
import { normalizeThrown, onError, onNotFound } from "./lib/error-handler";
import { bodyGuard } from "./lib/body-guard";
import { authenticate } from "./lib/auth";
import { apiRateLimit, rateLimitRejected } from "./lib/rate-limit";
import { idempotency } from "./lib/idempotency";
import { mountRoutes } from "./mount-routes";

export function createApp() {
  const app = createRouter();

  app.use("*", requestContext);
  app.use("*", securityHeaders);
  app.use("*", corsFromEnv);
  // Counts requests rejected before apiRateLimit runs (bodyGuard, authenticate) and gives them X-RateLimit-*.
  app.use("/api/v1/*", rateLimitRejected);
  app.use("/api/v1/*", bodyGuard);
  app.use("/api/v1/*", authenticate);
  app.use("/api/v1/*", apiRateLimit);
  app.use("/api/v1/*", idempotency);
  app.use("*", normalizeThrown);

  mountRoutes(app);

  app.notFound(onNotFound);
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createRouter>;
export type { AppEnv };

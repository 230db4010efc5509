// Request id (honoured if the client sent a sane one) and a structured JSON log line per failed or slow request
// (every request with LOG_REQUESTS=all).
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";
import { newId } from "./ids";
import { currentCorrelationId, withCorrelation } from "./correlation";
import { recordRequestMetrics } from "./metrics";
import { setResponseHeaders } from "./response-headers";

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header("x-request-id");
  const requestId = sent && CLIENT_REQUEST_ID.test(sent) ? sent : newId("req");
  c.set("requestId", requestId);
  const started = performance.now();
  try {
    // Everything below runs with the request id as its correlation id (queue messages, DO calls, logs).
    await withCorrelation(requestId, next);
  } finally {
    setResponseHeaders(c, [["X-Request-Id", requestId]]);
    const route = safeRoutePath(c);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    recordRequestMetrics(c, route, durationMs);
    const status = c.res.status;
    if (status >= 400 || durationMs >= SLOW_REQUEST_MS || c.env.LOG_REQUESTS === "all") {
      log("info", "request", {
        requestId,
        method: c.req.method,
        route,
        path: c.req.path,
        status,
        durationMs,
        userId: c.get("principal")?.userId ?? null,
      });
    }
  }
};

/**
 * A request this slow (ms) is logged even when it succeeded. Successful fast requests get their own line only with
 * LOG_REQUESTS=all: the platform's invocation log (wrangler.toml `[observability]`) already records each one
 * (method, URL, status, duration, CPU time) and the /metrics counters count them, while one console line per
 * request was ~20 % of GET /ping's CPU profile (README "Performance").
 */
export const SLOW_REQUEST_MS = 1000;

function safeRoutePath(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  try {
    return c.get("routePath") ?? routePath(c);
  } catch {
    return "unknown";
  }
}

export function log(level: "debug" | "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) {
  // Every line inside a request, a job or a correlated DO call names the request that started the work.
  const correlationId = currentCorrelationId();
  const line = JSON.stringify({
    level,
    message,
    time: new Date().toISOString(),
    ...(correlationId ? { correlationId } : {}),
    ...fields,
  });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

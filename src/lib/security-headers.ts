// Security headers on every response, and CORS restricted to ALLOWED_ORIGINS.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

/** The docs page loads its renderer from our own origin only; everything else is JSON. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("X-Frame-Options", "DENY");
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cross-Origin-Opener-Policy", "same-origin");
  c.header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  if (!c.res.headers.has("Content-Security-Policy")) c.header("Content-Security-Policy", API_CSP);
};

/**
 * Hono's cors() for the ALLOWED_ORIGINS in force, built once per distinct value (per isolate) rather than per
 * request: building it per request was a visible share of GET /api/v1/ping's CPU profile.
 */
const corsByOrigins = new Map<string, MiddlewareHandler<AppEnv>>();

export const corsFromEnv: MiddlewareHandler<AppEnv> = (c, next) => {
  const list = c.env.ALLOWED_ORIGINS;
  let handler = corsByOrigins.get(list);
  if (!handler) {
    const allowed = new Set(allowedOrigins(list));
    handler = cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "X-Signing-Token"],
      exposeHeaders: [
        "X-Request-Id",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "Retry-After",
        "Idempotent-Replayed",
      ],
      maxAge: 600,
      credentials: false,
    });
    // Tests run with a few values; anything beyond that is not a configuration, so do not grow without bound.
    if (corsByOrigins.size > 16) corsByOrigins.clear();
    corsByOrigins.set(list, handler);
  }
  return handler(c, next);
};

function allowedOrigins(list: string): string[] {
  return list
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
}

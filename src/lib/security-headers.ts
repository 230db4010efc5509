// Security headers on every response, and CORS restricted to ALLOWED_ORIGINS.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";
import { type HeaderEntry, setResponseHeaders } from "./response-headers";

/** The docs page loads its renderer from our own origin only; everything else is JSON. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const SECURITY_HEADERS: readonly HeaderEntry[] = [
  ["Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"],
];
const SECURITY_HEADERS_WITH_CSP: readonly HeaderEntry[] = [...SECURITY_HEADERS, ["Content-Security-Policy", API_CSP]];

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const hasCsp = c.res.headers.has("Content-Security-Policy");
  setResponseHeaders(c, hasCsp ? SECURITY_HEADERS : SECURITY_HEADERS_WITH_CSP);
};

const EXPOSED_HEADERS = [
  "X-Request-Id",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "Retry-After",
  "Idempotent-Replayed",
];
const EXPOSED_HEADERS_VALUE = EXPOSED_HEADERS.join(",");

interface CorsPolicy {
  allowed: Set<string>;
  /** Hono's cors(), which answers preflight (OPTIONS) requests. */
  preflight: MiddlewareHandler<AppEnv>;
}

/**
 * CORS for the ALLOWED_ORIGINS in force, built once per distinct value (per isolate) rather than per request:
 * building it per request was a visible share of GET /api/v1/ping's CPU profile.
 */
const corsByOrigins = new Map<string, CorsPolicy>();

/**
 * Preflight requests go to Hono's cors(). Other requests get the same headers Hono's cors() gives them
 * (Access-Control-Allow-Origin for an allowed Origin, Access-Control-Expose-Headers, `Vary: Origin`), set after the
 * handler in one pass: Hono's version touches `c.res` before the handler and appends Vary after it, which copies
 * the Response twice per request (see response-headers.ts).
 */
export const corsFromEnv: MiddlewareHandler<AppEnv> = async (c, next) => {
  const policy = corsPolicy(c.env.ALLOWED_ORIGINS);
  if (c.req.method === "OPTIONS") return policy.preflight(c, next);
  await next();
  const origin = c.req.header("origin");
  const entries: HeaderEntry[] = [];
  if (origin && policy.allowed.has(origin)) entries.push(["Access-Control-Allow-Origin", origin]);
  entries.push(["Access-Control-Expose-Headers", EXPOSED_HEADERS_VALUE], ["Vary", "Origin", true]);
  setResponseHeaders(c, entries);
};

function corsPolicy(list: string): CorsPolicy {
  let policy = corsByOrigins.get(list);
  if (!policy) {
    const allowed = new Set(allowedOrigins(list));
    const preflight = cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "X-Signing-Token"],
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
      credentials: false,
    });
    policy = { allowed, preflight };
    // Tests run with a few values; anything beyond that is not a configuration, so do not grow without bound.
    if (corsByOrigins.size > 16) corsByOrigins.clear();
    corsByOrigins.set(list, policy);
  }
  return policy;
}

function allowedOrigins(list: string): string[] {
  return list
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
}

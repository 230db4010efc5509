// Rate limiting behind one interface: `rateLimit({...})` middleware and `enforceRateLimit(c, {...})`.
//
// Backed by the RateLimiter Durable Object (one object per limit name + caller key, fixed window), not by
// Workers' `ratelimit` binding: that binding only answers allowed/denied, so X-RateLimit-Remaining and
// X-RateLimit-Reset could not be honest. Named (abuse) limits cost one RPC round trip per request. The global
// limit counts in the isolate (`LocalCounter`): the object is asked on a caller's first request of a window, every
// time the caller comes within EXACT_MARGIN of the limit, and otherwise gets this isolate's hits in the background
// at most every SYNC_MS — so X-RateLimit-Remaining is exact for one isolate's traffic, includes other isolates'
// hits as of at most SYNC_MS ago, and a 429 is always decided by the object's own count.
//
// Headers on every /api/v1 response: X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (epoch
// seconds when the window ends, as GitHub does). When several limits apply to one request (the global one
// plus e.g. "login"), the headers describe the most restrictive. Over the limit → 429 RATE001 + Retry-After.
import type { Context, MiddlewareHandler } from "hono";
import type { RateLimitDecision } from "../../durable-objects/rate-limiter";
import type { AppEnv, Bindings } from "../env";
import { ApiError } from "./errors";
import { errorResponse } from "./error-handler";
import { log } from "./request-context";
import { runInBackground } from "./background";
import { setResponseHeaders } from "./response-headers";

export type { RateLimitDecision };

export interface RateLimitOptions {
  /** Names an independent counter ("api", "login", "register"…); the same caller has one window per name. */
  name: string;
  /** Requests allowed per window: a number, or read from the environment. */
  limit: number | ((env: Bindings) => number);
  windowSeconds: number;
  /**
   * Who is counted. Default: the authenticated principal's user id, else the client IP (`clientKey`).
   * Return null to skip limiting for this request (e.g. a field that is absent).
   */
  key?: (c: Context<AppEnv>) => string | null | Promise<string | null>;
  /** Let requests through (uncounted, logged) when the limiter itself is unreachable. Default false. */
  failOpen?: boolean;
  /** Count in the isolate with periodic sync (`LocalCounter`): the global limit only. Default false. */
  local?: boolean;
}

/** Per-request record of the tightest decision so far, so headers describe the most restrictive limit. */
const decisions = new WeakMap<Context<AppEnv>, RateLimitDecision>();

/**
 * Middleware applying a named limit. Use it for stricter limits on abuse-prone routes, e.g.
 * `router.use("/auth/login", rateLimit({ name: "login", limit: 10, windowSeconds: 60 }))`
 * or with a custom key: `rateLimit({ name: "otp", limit: 5, windowSeconds: 900, key: (c) => c.req.param("id") })`.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const decision = await enforceRateLimit(c, options);
    await next();
    if (decision) applyHeaders(c, tightest(c) ?? decision);
  };
}

/**
 * Counts this request against a named limit from inside a handler (when the key is only known after parsing the
 * body, e.g. the email being logged into). Sets the X-RateLimit-* headers; throws 429 RATE001 when exceeded.
 * Returns null when `key` returned null (nothing counted).
 */
export async function enforceRateLimit(
  c: Context<AppEnv>,
  options: RateLimitOptions,
): Promise<RateLimitDecision | null> {
  const key = options.key ? await options.key(c) : clientKey(c);
  if (key === null) return null;
  const limit = typeof options.limit === "function" ? options.limit(c.env) : options.limit;
  let decision: RateLimitDecision;
  try {
    decision = options.local
      ? await globalCounter.hit(c, options.name, key, limit, options.windowSeconds)
      : await consume(c.env, options.name, key, limit, options.windowSeconds);
  } catch (err) {
    if (!options.failOpen) throw err;
    log("warn", "rate limiter unavailable; request let through", { name: options.name, error: String(err) });
    return null;
  }
  record(c, decision);
  const shown = tightest(c) ?? decision;
  setResponseHeaders(c, Object.entries(headersFor(shown)));
  if (!decision.allowed) throw tooManyRequests(decision);
  return decision;
}

/** Counts `hits` hits for `key` under `name` without an HTTP context (queue consumers, DO code). */
export async function consume(
  env: Bindings,
  name: string,
  key: string,
  limit: number,
  windowSeconds: number,
  hits = 1,
) {
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${name}:${key}`));
  return stub.hit(limit, windowSeconds, hits);
}

/** How often at most an isolate pushes its uncounted hits of one caller to the RateLimiter object, ms. */
export const SYNC_MS = 1000;
/** Within this many requests of the limit (or 10 % of it, whichever is more) every request asks the object. */
export const EXACT_MARGIN = 10;
/** Callers tracked per isolate before ended windows are swept (and, past twice that, everything is forgotten). */
const MAX_TRACKED = 10_000;

/** This isolate's view of one caller's window. */
interface LocalWindow {
  resetAt: number;
  limit: number;
  /** Hits known: the object's count at the last answer plus this isolate's hits since. */
  count: number;
  /** This isolate's hits not yet pushed to the object. */
  pending: number;
  syncedAt: number;
  syncing: boolean;
}

/**
 * The global limit counted in the isolate with periodic sync to the RateLimiter object (see the module comment).
 * Exported for tests; one instance serves the whole isolate.
 */
export class LocalCounter {
  readonly #windows = new Map<string, LocalWindow>();

  async hit(
    c: Context<AppEnv>,
    name: string,
    key: string,
    limit: number,
    windowSeconds: number,
  ): Promise<RateLimitDecision> {
    const id = `${name}:${key}`;
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const resetAt = now - (now % windowMs) + windowMs;
    let w = this.#windows.get(id);
    if (!w || w.resetAt !== resetAt || w.limit !== limit) {
      w = { resetAt, limit, count: 0, pending: 0, syncedAt: now, syncing: false };
      this.#remember(id, w, now);
      return this.#exact(c.env, name, key, w, windowSeconds);
    }
    if (limit - (w.count + 1) < Math.max(EXACT_MARGIN, Math.ceil(limit / 10)))
      return this.#exact(c.env, name, key, w, windowSeconds);
    w.count += 1;
    w.pending += 1;
    if (now - w.syncedAt >= SYNC_MS && !w.syncing) this.#flush(c, name, key, w, windowSeconds);
    return { allowed: true, limit, remaining: limit - w.count, resetAt, count: w.count };
  }

  /** This request plus the isolate's pending hits, counted by the object now; its answer decides. */
  async #exact(
    env: Bindings,
    name: string,
    key: string,
    w: LocalWindow,
    windowSeconds: number,
  ): Promise<RateLimitDecision> {
    const hits = w.pending + 1;
    w.pending = 0;
    let decision: RateLimitDecision;
    try {
      decision = await consume(env, name, key, w.limit, windowSeconds, hits);
    } catch (err) {
      w.pending += hits - 1;
      throw err;
    }
    // Hits other requests of this isolate counted locally while we waited are not in the object's count yet.
    if (decision.resetAt === w.resetAt) {
      w.count = decision.count + w.pending;
      w.syncedAt = Date.now();
    }
    return decision;
  }

  /** Pushes the pending hits after the response; a failure keeps them pending for the next attempt. */
  #flush(c: Context<AppEnv>, name: string, key: string, w: LocalWindow, windowSeconds: number) {
    const hits = w.pending;
    w.pending = 0;
    w.syncing = true;
    w.syncedAt = Date.now();
    runInBackground(c, "rate limit sync", async () => {
      try {
        const decision = await consume(c.env, name, key, w.limit, windowSeconds, hits);
        if (decision.resetAt === w.resetAt) w.count = decision.count + w.pending;
      } catch (err) {
        w.pending += hits;
        throw err;
      } finally {
        w.syncing = false;
      }
    });
  }

  #remember(id: string, w: LocalWindow, now: number) {
    if (this.#windows.size >= MAX_TRACKED) {
      for (const [other, o] of this.#windows) if (o.resetAt <= now) this.#windows.delete(other);
      if (this.#windows.size >= 2 * MAX_TRACKED) this.#windows.clear();
    }
    this.#windows.set(id, w);
  }
}

const globalCounter = new LocalCounter();

/** The global /api/v1 limit: RATE_LIMIT_PER_MINUTE per principal (or per client IP when anonymous). */
export const apiRateLimit = rateLimit({
  name: "api",
  limit: (env) => globalLimit(env),
  windowSeconds: 60,
  // Availability over strictness for the general limit; abuse limits (login…) fail closed.
  failOpen: true,
  local: true,
});

/**
 * Placed before bodyGuard/authenticate: a request those reject (415, 413, 401…) never reaches `apiRateLimit`, so
 * this counts it against the same bucket afterwards. Every /api/v1 response thus carries the headers, and a flood
 * of rejected requests still runs into 429. Costs nothing extra for requests that reached `apiRateLimit`.
 */
export const rateLimitRejected: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (decisions.has(c)) return;
  let decision: RateLimitDecision;
  try {
    decision = await globalCounter.hit(c, "api", clientKey(c), globalLimit(c.env), 60);
  } catch {
    return; // The request already failed; a limiter outage must not change its answer.
  }
  record(c, decision);
  if (!decision.allowed) c.res = errorResponse(c, tooManyRequests(decision));
  applyHeaders(c, decision);
};

/** The caller's bucket key: `usr:<id>` when authenticated, else `ip:<address>` (IPv6 by its /64 network). */
export function clientKey(c: Context<AppEnv>): string {
  const principal = c.get("principal");
  if (principal) return `usr:${principal.userId}`;
  return `ip:${clientIp(c)}`;
}

/** Cloudflare sets CF-Connecting-IP on every request at the edge; local tools may not ("unknown"). */
export function clientIp(c: Context<AppEnv>): string {
  const ip = c.req.header("cf-connecting-ip")?.trim();
  if (!ip) return "unknown";
  return ip.includes(":") ? ipv6Network(ip) : ip;
}

/** One IPv6 host usually owns a whole /64, so counting per address would let it rotate freely. */
export function ipv6Network(ip: string): string {
  const [head = "", tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  const network = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "") || "0");
  return `${network.join(":")}::/64`;
}

export function headersFor(decision: RateLimitDecision): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(Math.ceil(decision.resetAt / 1000)),
  };
}

function tooManyRequests(decision: RateLimitDecision) {
  const retryAfter = Math.max(1, Math.ceil((decision.resetAt - Date.now()) / 1000));
  return new ApiError("RATE001", `Rate limit exceeded; retry in ${retryAfter} s`, {
    headers: { ...headersFor(decision), "Retry-After": String(retryAfter) },
    details: { limit: decision.limit, retryAfterSeconds: retryAfter },
  });
}

function globalLimit(env: Bindings): number {
  const n = Number(env.RATE_LIMIT_PER_MINUTE);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 600;
}

function record(c: Context<AppEnv>, decision: RateLimitDecision) {
  const current = decisions.get(c);
  if (!current || isTighter(decision, current)) decisions.set(c, decision);
}

function tightest(c: Context<AppEnv>) {
  return decisions.get(c);
}

function isTighter(a: RateLimitDecision, b: RateLimitDecision) {
  if (a.allowed !== b.allowed) return !a.allowed;
  return a.remaining < b.remaining || (a.remaining === b.remaining && a.resetAt > b.resetAt);
}

/** Re-applied after the handler: a handler returning its own Response object would otherwise drop them. */
function applyHeaders(c: Context<AppEnv>, decision: RateLimitDecision) {
  setResponseHeaders(c, Object.entries(headersFor(decision)));
}

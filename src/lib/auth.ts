// Authentication (access JWT or `esk_` API key → c.var.principal) and the guards routes use to authorise.
// The credential's state (session or key, joined to its user) is one indexed D1 read, cached in the isolate for at
// most AUTH_CACHE_TTL_MS (src/lib/credential-cache.ts): a revocation, suspension or role change made through this
// isolate applies to the very next request, one made elsewhere within that bound — not after 15 minutes.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Principal } from "../env";
import { ApiError } from "./errors";
import { looksLikeJwt, verifyAccessToken } from "./jwt";
import { hashOpaqueSecret, isApiKeySecret } from "./tokens";
import {
  LAST_USED_GRANULARITY_MS,
  apiKeyStateByHash,
  sessionState,
  touchApiKey,
  touchSession,
} from "../db/credentials";
import {
  ADMIN_ROLES,
  effectiveScopes,
  isScope,
  keyActingRole,
  roleMayGrant,
  scopesBeyondRole,
  type Scope,
} from "../domain/scopes";
import type { Role } from "../db/schema/identity";
import { runInBackground } from "./background";
import { verifySigningToken } from "./signing-token";
import { hasPrefix } from "./ids";
import { CredentialCache, cacheTtlMs, mayChangeCredentials } from "./credential-cache";
import type { ApiKeyState, SessionState } from "../db/credentials";
import { timingSafeEqual } from "./crypto";
import { oauthAccessState, touchGrant } from "../db/oauth";
import { ACCESS_TOKEN_MARKER } from "../domain/oauth";

const BEARER = /^Bearer[ ]+([^\s]+)\s*$/i;
const invalidCredentials = () => new ApiError("AUTH002", "Access token or API key is invalid, expired or revoked");

/**
 * The routes that trade credentials in the body for tokens. They read no bearer, so a client that still attaches
 * its expired access token (the usual interceptor) can log in or refresh instead of being refused AUTH002.
 */
const CREDENTIAL_EXCHANGE = new Set([
  "/api/v1/auth/login",
  "/api/v1/auth/refresh",
  "/api/v1/auth/register",
  "/api/v1/auth/verify-email",
  "/api/v1/auth/resend-verification",
  "/api/v1/auth/password/reset",
  "/api/v1/auth/password/reset/confirm",
  // OAuth clients authenticate themselves in the body or with `Authorization: Basic` (RFC 6749 §2.3.1).
  "/api/v1/oauth/token",
  "/api/v1/oauth/revoke",
]);

const sessionCache = new CredentialCache<SessionState | null>();
const apiKeyCache = new CredentialCache<ApiKeyState | null>();

/** External sign-in (OpenID Connect): its browser redirect, callback and MFA step trade no bearer either. */
const PROVIDER_SIGN_IN = /^\/api\/v1\/auth\/oauth\/(?:[a-z]+\/(?:authorize|callback)|mfa)$/;

/**
 * Global middleware on /api/v1/*: no Authorization header → anonymous; otherwise it must be valid. A request that
 * may have changed credentials (see credential-cache.ts) clears this isolate's cache when it ends, whatever it
 * answered (a refresh-token reuse revokes a session and still answers 401).
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!mayChangeCredentials(c.req.method, c.req.path)) return authenticateRequest(c, next);
  try {
    await authenticateRequest(c, next);
  } finally {
    sessionCache.clear();
    apiKeyCache.clear();
  }
};

const authenticateRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  if (header === undefined || CREDENTIAL_EXCHANGE.has(c.req.path) || PROVIDER_SIGN_IN.test(c.req.path)) return next();
  const token = BEARER.exec(header)?.[1];
  if (!token) throw new ApiError("AUTH004", "Malformed Authorization header; expected `Bearer <token>`");
  const now = new Date();
  let principal: Principal;
  if (isApiKeySecret(token)) principal = await apiKeyPrincipal(c, token, now);
  else if (token.startsWith(ACCESS_TOKEN_MARKER)) principal = await oauthPrincipal(c, token, now);
  else if (looksLikeJwt(token)) principal = await sessionPrincipal(c, token, now);
  else if (isMetricsToken(c, token)) {
    // Not a person nor a key: only requireScopeOrMetricsToken routes admit it; every other route sees no principal.
    c.set("metricsToken", true);
    return next();
  } else throw new ApiError("AUTH004", "Malformed bearer token");
  c.set("principal", principal);
  await next();
};

/** Whether `token` is the scraper's METRICS_TOKEN secret (constant-time; never matches when the secret is unset). */
function isMetricsToken(c: Context<AppEnv>, token: string): boolean {
  const secret = c.env.METRICS_TOKEN;
  if (!secret || secret.length < 16) return false;
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(token), encoder.encode(secret));
}

async function sessionPrincipal(c: Context<AppEnv>, token: string, now: Date): Promise<Principal> {
  const claims = await verifyAccessToken(c.env, token);
  if (!claims) throw invalidCredentials();
  const state = await cached(c, sessionCache, claims.sid, () => sessionState(c.env.DB, claims.sid));
  if (
    !state ||
    state.userId !== claims.sub ||
    state.revokedAt !== null ||
    state.expiresAt <= now.toISOString() ||
    state.suspended ||
    state.deletedAt !== null
  ) {
    throw invalidCredentials();
  }
  if (now.getTime() - Date.parse(state.lastUsedAt) > LAST_USED_GRANULARITY_MS) {
    state.lastUsedAt = now.toISOString(); // the cached copy too: one touch per granularity, not per request
    runInBackground(c, "session last-used update", () => touchSession(c.env.DB, state.sessionId, now));
  }
  // The role comes from D1, not the token, so a demotion applies at once.
  return { userId: state.userId, role: state.role, sessionId: state.sessionId, scopes: null, apiKeyId: null };
}

async function apiKeyPrincipal(c: Context<AppEnv>, token: string, now: Date): Promise<Principal> {
  const secretHash = hashOpaqueSecret(token);
  const state = await cached(c, apiKeyCache, secretHash, () => apiKeyStateByHash(c.env.DB, secretHash));
  if (
    !state ||
    state.revokedAt !== null ||
    (state.expiresAt !== null && state.expiresAt <= now.toISOString()) ||
    state.suspended ||
    state.deletedAt !== null
  ) {
    throw invalidCredentials();
  }
  if (!state.lastUsedAt || now.getTime() - Date.parse(state.lastUsedAt) > LAST_USED_GRANULARITY_MS) {
    state.lastUsedAt = now.toISOString();
    const origin = {
      userId: state.userId,
      ip: c.req.header("cf-connecting-ip") ?? null,
      userAgent: c.req.header("user-agent") ?? null,
    };
    runInBackground(c, "API key last-used update", () => touchApiKey(c.env.DB, state.id, now, origin));
  }
  let stored: string[] = [];
  try {
    stored = JSON.parse(state.scopes) as string[];
  } catch {
    stored = [];
  }
  // A key never exceeds its owner's current rights (the owner may have been demoted since), and an admin's key
  // carries the admin role only with an admin scope.
  const scopes = effectiveScopes(state.role, stored);
  return { userId: state.userId, role: keyActingRole(state.role, scopes), sessionId: null, scopes, apiKeyId: state.id };
}

/** A credential state from the isolate's cache while fresh, else from D1 (unknown credentials are cached too). */
async function cached<T>(
  c: Context<AppEnv>,
  cache: CredentialCache<T | null>,
  key: string,
  read: () => Promise<T | null>,
) {
  const ttl = cacheTtlMs(c.env);
  const hit = ttl > 0 ? cache.get(key) : undefined;
  if (hit !== undefined) return hit;
  const state = await read();
  cache.set(key, state, ttl);
  return state;
}

/**
 * A partner application's access token (issue 17.4): it acts like an API key of the user who authorized it, with
 * the scopes it carries ∩ the application's current registration ∩ what the user's role may do now.
 */
async function oauthPrincipal(c: Context<AppEnv>, token: string, now: Date): Promise<Principal> {
  const state = await oauthAccessState(c.env.DB, token, now);
  if (!state || !state.live) throw invalidCredentials();
  if (!state.lastUsedAt || now.getTime() - Date.parse(state.lastUsedAt) > LAST_USED_GRANULARITY_MS) {
    runInBackground(c, "OAuth authorization last-used update", () => touchGrant(c.env.DB, state.grantId, now));
  }
  const registered = new Set(parseScopeList(state.applicationScopes));
  const scopes = effectiveScopes(
    state.role,
    parseScopeList(state.tokenScopes).filter((s) => registered.has(s)),
  );
  return {
    userId: state.userId,
    role: keyActingRole(state.role, scopes),
    sessionId: null,
    scopes,
    apiKeyId: null,
    oauthGrantId: state.grantId,
  };
}

function parseScopeList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** The authenticated caller, or AUTH004. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) throw new ApiError("AUTH004", "Authentication required");
  return principal;
}

/**
 * How a route admits callers, declared once per route by the guard in its `middleware` and published on the
 * OpenAPI operation (`x-escra-access`, `x-escra-scope`, and the scope in `security`):
 * - `scope`: an API key must hold `scope`; a user session acts within its role (`signingToken`: a party's
 *   X-Signing-Token admits the caller instead, checked by the handler);
 * - `session`: a person signed in with a session; API keys are refused (the default of every route);
 * - `public`: anyone, signed in or not (credential exchange, catalog, verification, provider webhooks).
 */
export type RouteAccess =
  | { kind: "scope"; scope: Scope; signingToken?: true }
  | { kind: "session" }
  | { kind: "public" };

const ACCESS = Symbol.for("escra.routeAccess");
type AccessGuard = MiddlewareHandler<AppEnv> & { readonly [ACCESS]: RouteAccess };

function guard(access: RouteAccess, handler: MiddlewareHandler<AppEnv>): AccessGuard {
  return Object.assign(handler, { [ACCESS]: access });
}

/** The access a route's middleware declares, or undefined when none of it is a guard from this module. */
export function declaredAccess(middleware: unknown): RouteAccess | undefined {
  const list = Array.isArray(middleware) ? middleware : middleware === undefined ? [] : [middleware];
  const found = list
    .map((m) => (typeof m === "function" ? (m as Partial<AccessGuard>)[ACCESS] : undefined))
    .filter((a): a is RouteAccess => a !== undefined);
  // Several guards on one route (a scope and a session): the session is the stricter and the one a key meets.
  return found.find((a) => a.kind === "session") ?? found.find((a) => a.kind === "scope") ?? found[0];
}

/** Only authenticated callers (AUTH004 otherwise); declares nothing, so alone it leaves keys refused. */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    principalOf(c);
    await next();
  };
}

/** The caller must hold one of the global roles (AUTH003 otherwise). */
/** Admin routes: the caller must be a platform admin (isAdmin), else AUTH003. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return requireRole(...ADMIN_ROLES);
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = principalOf(c);
    if (!roles.includes(principal.role)) throw new ApiError("AUTH003", "Your role does not allow this");
    await next();
  };
}

/**
 * A credential someone mints (an API key, a partner application) holds no scope beyond their role.
 * @param message what the refusal says, e.g. "A key cannot hold scopes beyond your role"
 * @throws ApiError AUTH003 listing each scope beyond the role in `details` (path `scopes`)
 */
export function assertScopesWithinRole(role: Role, scopes: readonly Scope[], message: string): void {
  const beyond = scopesBeyondRole(role, scopes);
  if (beyond.length > 0) {
    throw new ApiError("AUTH003", message, {
      details: beyond.map((scope) => ({ path: "scopes", message: `your role cannot grant ${scope}`, scope })),
    });
  }
}

/** Whether the principal may act with `scope`: an API key must hold it; a user session is bounded by its role. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  if (!roleMayGrant(principal.role, scope)) return false;
  return principal.scopes === null || principal.scopes.includes(scope);
}

function checkScope(principal: Principal, scope: Scope) {
  if (!hasScope(principal, scope)) {
    throw new ApiError(
      "AUTH003",
      principal.scopes === null
        ? "Your role does not allow this"
        : `This ${principal.oauthGrantId ? "access token" : "API key"} lacks the ${scope} scope`,
    );
  }
}

/**
 * API keys must hold `scope`; users act within their role. Either way viewers never pass a `:write`
 * scope, and `admin:*` needs an admin (so `requireScope("admin:write")` alone guards an admin route).
 * Runs before validation and lookups, so a key without the scope learns nothing about the resource.
 */
export function requireScope(scope: Scope): AccessGuard {
  if (!isScope(scope)) throw new Error(`Unknown scope ${scope}`);
  return guard({ kind: "scope", scope }, async (c, next) => {
    checkScope(principalOf(c), scope);
    await next();
  });
}

/**
 * What a contract's party may do without an account (API.md: read its signer view and documents; sign, approve,
 * decline). With an `X-Signing-Token` header the token must be genuine, unexpired and issued for this route's
 * `:id` (AUTH002 otherwise); it is used instead of Authorization and its party set on `c.var.signingParty`.
 * Without it the caller must pass `requireScope(scope)`. Every other route ignores the header.
 */
export function requireScopeOrSigningToken(scope: Scope): AccessGuard {
  if (!isScope(scope)) throw new Error(`Unknown scope ${scope}`);
  return guard({ kind: "scope", scope, signingToken: true }, async (c, next) => {
    const token = c.req.header("x-signing-token");
    if (token === undefined) {
      checkScope(principalOf(c), scope);
      return next();
    }
    const contractId = c.req.param("id") ?? "";
    // Guards run before the route's validators: a malformed id is left to them (VAL001).
    if (!hasPrefix(contractId, "ctr")) return next();
    const claims = verifySigningToken(c.env, token, contractId);
    if (!claims) throw new ApiError("AUTH002", "Signing token invalid, expired or not for this contract");
    c.set("signingParty", { contractId: claims.contractId, signerId: claims.signerId });
    await next();
  });
}

/**
 * Operations endpoints a scraper calls: `Authorization: Bearer <METRICS_TOKEN>` admits the caller (no principal);
 * otherwise the caller must pass `requireScope(scope)` (an admin session, or an admin's key holding `scope`).
 */
export function requireScopeOrMetricsToken(scope: Scope): AccessGuard {
  if (!isScope(scope)) throw new Error(`Unknown scope ${scope}`);
  return guard({ kind: "scope", scope }, async (c, next) => {
    if (c.get("metricsToken") === true) return next();
    checkScope(principalOf(c), scope);
    await next();
  });
}

/** Routes that only a person may use (not an API key): sessions, password, MFA, key management, payout account. */
export function requireSession(): AccessGuard {
  return guard({ kind: "session" }, async (c, next) => {
    const principal = principalOf(c);
    if (principal.sessionId === null) throw new ApiError("AUTH003", "This action needs a user session, not an API key");
    await next();
  });
}

/** Declares a route open to anyone; the handler authenticates by other means if it needs to (tokens, signatures). */
export function publicRoute(): AccessGuard {
  return guard({ kind: "public" }, async (_c, next) => {
    await next();
  });
}

/** OpenAPI fields that publish a route's access on its operation. */
function accessDocumentation(access: RouteAccess, security: unknown) {
  const schemes = Array.isArray(security) && security.length > 0 ? (security as Record<string, string[]>[]) : null;
  switch (access.kind) {
    case "scope":
      return {
        "x-escra-access": "scope",
        "x-escra-scope": access.scope,
        ...(access.signingToken ? { "x-escra-signing-token": true } : {}),
        // OpenAPI 3.1 lets a non-OAuth scheme list the roles/scopes it needs (§4.8.30).
        security: (schemes ?? [{ bearer: [] }]).map((s) =>
          Object.fromEntries(Object.keys(s).map((name) => [name, [access.scope]])),
        ),
      };
    case "session":
      return { "x-escra-access": "session" };
    case "public":
      return { "x-escra-access": "public" };
  }
}

/**
 * Gives a route definition its access guard: the one its middleware declares, or — when it declares none — a
 * session requirement, so a route that forgets its scope refuses API keys instead of admitting every key.
 * createRouter applies this to every `.openapi()` route.
 */
export function withDeclaredAccess<R extends { middleware?: unknown; security?: unknown }>(route: R): R {
  const declared = declaredAccess(route.middleware);
  const list = Array.isArray(route.middleware) ? route.middleware : route.middleware ? [route.middleware] : [];
  if (declared) return { ...route, middleware: list, ...accessDocumentation(declared, route.security) };
  // Published as a default, so the OpenAPI authorization walk (test/routes/authorization-walk.test.ts) names the
  // route until its author declares what it needs.
  return {
    ...route,
    middleware: [requireSession(), ...list],
    ...accessDocumentation({ kind: "session" }, route.security),
    "x-escra-access-default": true,
  };
}

/** Actions that need a confirmed email address (AUTH006 otherwise). One extra D1 read, so only where needed. */
export function requireVerifiedEmail(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = principalOf(c);
    const row = await c.env.DB.prepare("SELECT email_verified_at FROM users WHERE id = ?")
      .bind(principal.userId)
      .first<{ email_verified_at: string | null }>();
    if (!row?.email_verified_at) throw new ApiError("AUTH006", "Verify your email address first");
    await next();
  };
}

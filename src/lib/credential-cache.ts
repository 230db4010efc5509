// A short-lived, per-isolate cache of the credential state `authenticate` reads from D1 (session or API key joined to
// its user), so a burst of requests with one credential costs one D1 read per AUTH_CACHE_TTL_MS instead of one each.
//
// Revocation bound: a change made through this isolate's API (logout, session or key revocation, password change,
// suspension, role change, erasure…) clears the cache when that request ends, so it applies to the next request at
// once; a change made anywhere else (another isolate or edge location, a queue job, SQL) applies within
// AUTH_CACHE_TTL_MS (default DEFAULT_TTL_MS; "0" disables the cache).
import type { Bindings } from "../env";

/** Default time a cached credential state is trusted, ms: the revocation bound across isolates. */
export const DEFAULT_TTL_MS = 2_000;
/** Entries per isolate; past it the cache starts over (one D1 read per credential again). */
const MAX_ENTRIES = 5_000;

/**
 * Paths whose mutations can revoke or change a credential or its user (sessions, keys, role, suspension,
 * erasure, refresh-token reuse). Matched on the path only: anything under them that is not GET clears the cache.
 */
const IDENTITY_PATHS = /^\/api\/v1\/(auth|users|admin\/users|api-keys)(\/|$)/;

export function cacheTtlMs(env: Bindings): number {
  const raw = env.AUTH_CACHE_TTL_MS;
  const n = raw === undefined || raw === "" ? DEFAULT_TTL_MS : Number(raw);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 60_000) : 0;
}

export class CredentialCache<T> {
  readonly #entries = new Map<string, { value: T; until: number }>();

  /** The cached value while fresh, else undefined. */
  get(key: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, ttlMs: number, now = Date.now()): void {
    if (ttlMs <= 0) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, { value, until: now + ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Whether a request may have changed a credential's state (see IDENTITY_PATHS). */
export function mayChangeCredentials(method: string, path: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS" && IDENTITY_PATHS.test(path);
}

// The app's router: Hono's TrieRouter with a bounded memo of matches for paths without parameters.
//
// Why not Hono's default (SmartRouter → RegExpRouter): RegExpRouter refuses a literal segment and a parameter at
// the same place for one method (`/contracts/search` beside `/contracts/:id`, `/users/me` beside `/users/:id`),
// which every resource of API.md has, so SmartRouter always falls back to TrieRouter. TrieRouter walks the route
// table (~700 entries: routes, their guards and the wildcard middleware) on every request, 5–12 µs per match in V8,
// 8–14 % of `GET /api/v1/ping`'s CPU in the bench profile (README "Performance").
//
// A match depends only on (method, path) once the routes are added, so it can be remembered. Only results without
// path parameters are kept (ping, health, /auth/me, collection routes, 404s): a path with an id is rarely repeated
// in production, and caching it would only flatter the bench. The memo is bounded (oldest entry evicted first) so
// a client sending random paths cannot grow it.
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** Parameterless (method, path) matches kept per isolate. */
export const MEMO_ROUTER_MAX_ENTRIES = 1_000;

export class MemoRouter<T> implements Router<T> {
  name = "MemoRouter(TrieRouter)";
  #trie = new TrieRouter<T>();
  #memo = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    // Routes are added before the first request; clearing keeps a late add correct anyway.
    this.#memo.clear();
    this.#trie.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    const remembered = this.#memo.get(key);
    if (remembered) return remembered;
    const result = this.#trie.match(method, path);
    if (withoutParams(result)) {
      if (this.#memo.size >= MEMO_ROUTER_MAX_ENTRIES) {
        const oldest = this.#memo.keys().next().value;
        if (oldest !== undefined) this.#memo.delete(oldest);
      }
      this.#memo.set(key, result);
    }
    return result;
  }
}

/** TrieRouter answers `[[handler, params][]]`; true when no matched route captured a parameter. */
function withoutParams<T>(result: Result<T>): boolean {
  if (result.length !== 1) return false;
  for (const [, params] of result[0]) {
    for (const _ in params) return false;
  }
  return true;
}

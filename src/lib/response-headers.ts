// Sets headers on the response a middleware gets back from next(), copying the Response at most once.
//
// Hono's `c.header()` after the handler answered (`c.finalized`) builds a new Response on *every* call so that it
// can write to headers that might be immutable (a fetch() or ASSETS response). Our chain sets ~12 headers after
// next() (security headers, CORS, rate-limit headers, request id), i.e. ~12 Response copies per request: `Response`
// and `header` were ~20 % of GET /api/v1/ping's CPU in the bench profile (README "Performance"). Responses our
// handlers build (c.json, c.body, new Response) have mutable headers, so this writes in place and copies only when
// the platform refuses (immutable headers), once.
import type { Context } from "hono";

/** `[name, value]` pairs, set (replacing) in order; `append: true` adds a value instead (e.g. Vary). */
export type HeaderEntry = readonly [name: string, value: string, append?: boolean];

export function setResponseHeaders(c: Context, entries: Iterable<HeaderEntry>): void {
  // Before the handler answered, Hono keeps headers for the coming response without copying anything.
  if (!c.finalized) {
    for (const [name, value, append] of entries) c.header(name, value, append ? { append: true } : undefined);
    return;
  }
  let headers = c.res.headers;
  for (const [name, value, append] of entries) {
    try {
      write(headers, name, value, append);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      // Immutable headers: Hono's c.header copies the Response (mutable headers) and writes this one; the rest
      // go straight into the copy.
      c.header(name, value, append ? { append: true } : undefined);
      headers = c.res.headers;
    }
  }
}

function write(headers: Headers, name: string, value: string, append: boolean | undefined) {
  if (append) headers.append(name, value);
  else headers.set(name, value);
}

// Predictable refusals of our providers (D1, R2, Queues, the chain RPC) turned into stable API errors that say what
// to do, in one place: the error handler asks here before falling back to SYS001. The provider's own message is
// logged server-side only; clients get ours. Providers throw plain Errors whose text is the only signal (workerd
// issue #6834 asks for typed ones), so matching is by the documented message fragments, most specific first.
import { DrizzleQueryError } from "drizzle-orm";
import { ApiError } from "./errors";

export type Provider = "d1" | "r2" | "queues" | "chain" | "durable_objects";

export interface ProviderRefusal {
  provider: Provider;
  /** A stable name for logs and metrics (not sent to clients). */
  kind: string;
  error: ApiError;
}

/** Seconds a client should wait before retrying a transient refusal (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;

const unavailable = (what: string, seconds = RETRY_AFTER_SECONDS) =>
  new ApiError("SYS002", `${what} is temporarily unavailable; retry in a few seconds`, {
    headers: { "retry-after": String(seconds) },
    details: { retryAfterSeconds: seconds },
  });

interface Rule {
  provider: Provider;
  kind: string;
  test: RegExp;
  error: () => ApiError;
}

// Sources: Cloudflare D1 docs "Error list" and "Limits"; R2 docs "Error codes" and "Multipart upload limitations";
// Queues docs "Limits" (message 128 KB, batch 256 KB / 100 messages); viem error classes (HttpRequestError,
// TimeoutError, LimitExceededRpcError, InsufficientFundsError).
const RULES: Rule[] = [
  // ---- chain RPC (viem), first: its errors wrap the fetch failure ("Network connection lost") they report ----
  {
    provider: "chain",
    kind: "insufficient_funds",
    test: /insufficient funds/i,
    error: () =>
      new ApiError(
        "PROC001",
        "The chain refused the transaction: the platform's account lacks funds for gas; an operator must top it up",
      ),
  },
  {
    provider: "chain",
    kind: "rate_limited",
    test: /LimitExceededRpcError|Request exceeds defined limit|rate limit|status: 429/i,
    error: () => unavailable("The chain RPC provider", 30),
  },
  {
    provider: "chain",
    kind: "unreachable",
    test: new RegExp(
      [
        "HttpRequestError",
        "HTTP request failed",
        "The request took too long to respond",
        "TimeoutError",
        "fetch failed",
        "ECONNREFUSED",
      ].join("|"),
      "i",
    ),
    error: () =>
      new ApiError(
        "PROC001",
        "The chain RPC provider did not answer; retry shortly (on-chain data is re-checked later)",
        {
          headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
        },
      ),
  },
  // ---- D1 ----
  {
    provider: "d1",
    kind: "too_many_variables",
    test: /too many SQL variables/i,
    error: () =>
      new ApiError(
        "VAL001",
        "The request lists too many items to handle at once; send fewer (at most 100 per request)",
        {
          details: [{ path: "", message: "too many items in one request" }],
        },
      ),
  },
  {
    provider: "d1",
    kind: "too_big",
    test: /SQLITE_TOOBIG|string or blob too big|statement too long/i,
    error: () => new ApiError("VAL003", "The request's content is too large to store; shorten it and retry"),
  },
  {
    provider: "d1",
    kind: "constraint",
    test: /SQLITE_CONSTRAINT|UNIQUE constraint failed|FOREIGN KEY constraint failed|CHECK constraint failed/i,
    error: () =>
      new ApiError(
        "RES002",
        "This conflicts with an existing record or one that no longer exists; reload it and retry",
      ),
  },
  {
    provider: "d1",
    kind: "overloaded",
    test: /D1 DB is overloaded|Requests queued for too long|Too many requests queued/i,
    error: () => unavailable("The database"),
  },
  {
    provider: "d1",
    kind: "transient",
    test: new RegExp(
      [
        "D1 DB reset",
        "D1 DB storage operation exceeded timeout",
        "Cannot resolve D1 DB due to transient issue",
        "Network connection lost",
        "D1_ERROR: (?:Internal|internal error)",
        "SQLITE_BUSY",
        "database is locked",
      ].join("|"),
      "i",
    ),
    error: () => unavailable("The database"),
  },
  // ---- Durable Objects (Cloudflare docs "Durable Objects: Error handling": these are transient; retry later) ----
  {
    provider: "durable_objects",
    kind: "transient",
    test: new RegExp(
      [
        "Durable Object is overloaded",
        "Durable Object reset because its code was updated",
        "Durable Object storage operation exceeded timeout",
        "Cannot resolve Durable Object due to transient issue",
        "Internal error in Durable Object storage",
      ].join("|"),
      "i",
    ),
    error: () => unavailable("This record's service"),
  },
  // ---- R2 ----
  {
    provider: "r2",
    kind: "parts_unequal",
    test: /All non-trailing parts must have the same length|InvalidPart|\(10025\)|\(10048\)/i,
    error: () =>
      new ApiError(
        "RES002",
        "The uploaded parts do not fit R2's rules: every part but the last the same size, at least 5 MiB, " +
          "the last no larger. Resend the parts that differ, then complete again",
      ),
  },
  {
    provider: "r2",
    kind: "entity_too_small",
    test: /EntityTooSmall|smaller than the minimum allowed|\(10011\)/i,
    error: () =>
      new ApiError(
        "RES002",
        "A part other than the last is below 5 MiB; resend it at the part size, then complete again",
      ),
  },
  {
    provider: "r2",
    kind: "no_such_upload",
    test: /NoSuchUpload|upload does not exist|\(10024\)/i,
    error: () =>
      new ApiError(
        "RES002",
        "This upload is no longer open at the storage provider (aborted or expired); start a new upload",
      ),
  },
  {
    provider: "r2",
    kind: "entity_too_large",
    test: /EntityTooLarge|\(100100\)/i,
    error: () => new ApiError("VAL003", "The file is larger than storage allows (5 GiB per part, ~5 TiB per object)"),
  },
  {
    provider: "r2",
    kind: "rate_limited",
    test: /\(10058\)|Reduce your concurrent request rate|too many requests to the same object/i,
    error: () => unavailable("Storage for this file"),
  },
  {
    provider: "r2",
    kind: "transient",
    test: /\(10001\)|We encountered an internal error|\(10043\)|Service Unavailable/i,
    error: () => unavailable("File storage"),
  },
  // ---- Queues ----
  {
    provider: "queues",
    kind: "message_too_large",
    test: /(?:message size|message length|batch size) of \d+ bytes exceeds|exceeds limit of 12[0-9]{4}/i,
    error: () =>
      new ApiError("VAL003", "The request is too large to process in the background; send less content at once"),
  },
  {
    provider: "queues",
    kind: "too_many_messages",
    test: /batch (?:count|of \d+ messages) exceeds|exceeds limit of 100 messages/i,
    error: () =>
      new ApiError("VAL001", "Too many items at once; send at most 100 per request", {
        details: [{ path: "", message: "too many items" }],
      }),
  },
  {
    provider: "queues",
    kind: "throughput",
    test: /Queue send failed|Too Many Requests|queue.*(?:overloaded|unavailable)/i,
    error: () => unavailable("Background processing"),
  },
];

/** The error and its `cause` chain, outermost first (drizzle wraps D1's error, viem nests the RPC reason). */
function errorChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    chain.push(current);
    if (!(current instanceof Error)) break;
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The text a provider error carries: its message plus any `cause` chain. */
function errorText(err: unknown): string {
  return errorChain(err)
    .map((link) => (link instanceof Error ? `${link.name}: ${link.message}` : String(link)))
    .join(" | ");
}

/** Cloudflare marks transient binding failures (Durable Objects, D1) with `retryable`/`overloaded`. */
function isFlaggedTransient(link: unknown): boolean {
  const flags = link as { retryable?: unknown; overloaded?: unknown } | null;
  return typeof flags === "object" && flags !== null && (flags.retryable === true || flags.overloaded === true);
}

/**
 * A predictable provider refusal as an API error, or null when `err` is not one (a bug: SYS001).
 * @param err anything thrown by a binding or an RPC client
 */
export function providerRefusal(err: unknown): ProviderRefusal | null {
  if (err instanceof ApiError) return null;
  const text = errorText(err);
  for (const rule of RULES) {
    if (rule.test.test(text)) return { provider: rule.provider, kind: rule.kind, error: rule.error() };
  }
  // The flags, whatever the text, on any link of the chain: a D1 error arrives wrapped in drizzle's "Failed query".
  const chain = errorChain(err);
  const flagged = chain.find(isFlaggedTransient);
  if (!flagged) return null;
  // Labelled by its source: a query through drizzle or D1's own "D1_…" text is the database, else one of our rooms.
  const fromD1 =
    chain.some((link) => link instanceof DrizzleQueryError) ||
    (flagged instanceof Error && /\bD1_[A-Z]+\b|\bD1 DB\b/.test(flagged.message));
  return fromD1
    ? { provider: "d1", kind: "retryable", error: unavailable("The database") }
    : { provider: "durable_objects", kind: "retryable", error: unavailable("A service this request needs") };
}

/** The provider's own words, for the server log only (bounded). */
export function providerMessage(err: unknown): string {
  return errorText(err).slice(0, 1_000);
}

// Idempotency-Key on POST (API.md): the first request with a key does the work; repeats replay its response.
//
// A key is scoped to the caller (principal, else client IP) and bound to a fingerprint of method, path and
// body. The claim is one atomic upsert, so of two concurrent duplicates exactly one runs the handler; the
// other polls for the stored response and replays it, or answers 409 RES002 if the first is still running.
// Like Stripe, only responses of requests that were acted upon are kept (2xx and business-rule 4xx such as
// 409/402/422): 5xx (transient) and rejections where nothing was done (400, 401, 403, 404, 413, 415, 429)
// release the key, so the client can fix the request or retry with the same key and bad requests leave no row.
// Stored bodies are sealed (AES-256-GCM, key derived from VAULT_KEK).
// A route whose success carries a secret (credential reveal, API key, webhook or MFA secret, recovery codes, tokens)
// declares `secretResponse` in its middleware: its response is never stored; the key is kept as `withheld`, so a replay
// or a concurrent duplicate answers 409 RES002 without the secret and does nothing again (API.md, "Once means once").
// A route answering session tokens declares `sessionTokenResponse`: nothing is kept and the key is released.
import type { Context, MiddlewareHandler } from "hono";
import { and, eq, lte, or } from "drizzle-orm";
import type { AppEnv, Bindings } from "../env";
import { db } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { ApiError } from "./errors";
import { maxBodyBytes } from "./body-guard";
import { randomToken } from "./ids";
import { deriveKey, digestSha256Hex, openText, seal } from "./crypto";
import { clientKey } from "./rate-limit";
import { log } from "./request-context";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_KEY_LENGTH = 255;
/** An in-progress claim older than this belongs to a request that died; another may take it over. */
const LOCK_MS = 60_000;
/** How long a concurrent duplicate waits for the first request before answering RES002. */
const WAIT_MS = 5_000;
const POLL_MS = 50;
/** Stored responses are bounded so a row stays far below D1's 2 MB. */
const MAX_STORED_BODY = 512 * 1024;
const REPLAYED_HEADERS = ["content-type", "location", "retry-after"];
const NOT_ACTED_UPON = new Set([400, 401, 403, 404, 413, 415, 429]);

type Claim =
  | { kind: "owner"; token: string }
  | { kind: "replay"; status: number; headers: Record<string, string>; body: string }
  | { kind: "withheld" }
  | { kind: "mismatch" }
  | { kind: "busy" };

export const idempotency: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== "POST") return next();
  const key = c.req.header("idempotency-key");
  if (key === undefined) return next();
  if (key.length < 1 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ApiError("VAL001", "Invalid Idempotency-Key header", {
      details: [{ path: "Idempotency-Key", message: `Use 1–${MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID` }],
    });
  }

  const scope = clientKey(c);
  const fingerprint = await fingerprintOf(c);
  const claim = await claimOrWait(c.env, scope, key, fingerprint);
  if (claim.kind === "mismatch") {
    throw new ApiError("RES003", "This Idempotency-Key was already used with a different request");
  }
  if (claim.kind === "busy") {
    throw new ApiError("RES002", "A request with this Idempotency-Key is still in progress; retry shortly", {
      headers: { "Retry-After": "1" },
    });
  }
  if (claim.kind === "withheld") {
    throw new ApiError(
      "RES002",
      "This Idempotency-Key already received a response carrying a secret, which is shown only once",
      { headers: { "Idempotent-Replayed": "true" } },
    );
  }
  if (claim.kind === "replay") {
    return c.body(claim.body, claim.status as 200, { ...claim.headers, "Idempotent-Replayed": "true" });
  }

  try {
    await next();
  } catch (err) {
    await release(c.env, scope, key, claim.token);
    throw err;
  }
  await settle(c, scope, key, claim.token);
};

/**
 * SHA-256 over method, path and the body's SHA-256. A multipart body is hashed by its parts, not its bytes, because
 * a client's retry of the same upload carries a fresh boundary. Streamed uploads above MAX_BODY_BYTES are not
 * buffered: their fingerprint is media type and length only.
 */
async function fingerprintOf(c: Context<AppEnv>): Promise<string> {
  const url = new URL(c.req.url);
  const length = Number(c.req.header("content-length") ?? Number.NaN);
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const smallLimit = Number(c.env.MAX_BODY_BYTES || 1_048_576);
  const bufferable = maxBodyBytes(c) <= smallLimit || length <= smallLimit;
  let bodyPart: string;
  if (!bufferable) bodyPart = `stream:${mediaType}:${length}`;
  else if (mediaType === "multipart/form-data") bodyPart = await formDigest(c);
  // Reading through HonoRequest caches the bytes, so the handler can still parse the body afterwards.
  else bodyPart = await digestSha256Hex(await c.req.arrayBuffer());
  return digestSha256Hex(new TextEncoder().encode(`${c.req.method}\n${url.pathname}${url.search}\n${bodyPart}`));
}

async function formDigest(c: Context<AppEnv>): Promise<string> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    return `malformed:${await digestSha256Hex(await c.req.arrayBuffer())}`;
  }
  const parts: string[] = [];
  for (const [name, value] of form.entries()) {
    const part =
      typeof value === "string"
        ? `${name}=${await digestSha256Hex(new TextEncoder().encode(value))}`
        : `${name}=file:${value.name}:${value.type}:${await digestSha256Hex(await value.arrayBuffer())}`;
    parts.push(part);
  }
  return `form:${await digestSha256Hex(new TextEncoder().encode(parts.join("\n")))}`;
}

async function claimOrWait(env: Bindings, scope: string, key: string, fingerprint: string): Promise<Claim> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const claim = await tryClaim(env, scope, key, fingerprint);
    if (claim.kind !== "busy" || Date.now() >= deadline) return claim;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * One atomic statement: insert the claim, or take over a row that expired or whose claimant died.
 * If neither, the existing row says whether to replay, reject, or wait.
 */
async function tryClaim(env: Bindings, scope: string, key: string, fingerprint: string): Promise<Claim> {
  const d = db(env.DB);
  const now = new Date();
  const nowIso = now.toISOString();
  const token = randomToken(24);
  const fresh = {
    fingerprint,
    state: "in_progress" as const,
    claimToken: token,
    responseStatus: null,
    responseHeaders: null,
    responseBody: null,
    createdAt: nowIso,
    lockedUntil: new Date(now.getTime() + LOCK_MS).toISOString(),
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
  };
  const claimed = await d
    .insert(idempotencyKeys)
    .values({ scope, key, ...fresh })
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: fresh,
      setWhere: or(
        lte(idempotencyKeys.expiresAt, nowIso),
        and(eq(idempotencyKeys.state, "in_progress"), lte(idempotencyKeys.lockedUntil, nowIso)),
      ),
    })
    .returning({ token: idempotencyKeys.claimToken });
  if (claimed[0]?.token === token) return { kind: "owner", token };

  const existing = await d
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .get();
  // Released between our insert and this read: the next round claims it.
  if (!existing) return { kind: "busy" };
  if (existing.fingerprint !== fingerprint) return { kind: "mismatch" };
  if (existing.state === "withheld") return { kind: "withheld" };
  if (existing.state !== "completed") return { kind: "busy" };
  return {
    kind: "replay",
    status: existing.responseStatus ?? 200,
    headers: JSON.parse(existing.responseHeaders ?? "{}") as Record<string, string>,
    body: existing.responseBody ? openText(bodyKey(env), existing.responseBody, `${scope}\n${key}`) : "",
  };
}

/** Stores the response for replay, or releases the key when the request was not acted upon or failed. */
async function settle(c: Context<AppEnv>, scope: string, key: string, token: string) {
  const status = c.res.status;
  if (status >= 500 || NOT_ACTED_UPON.has(status)) return release(c.env, scope, key, token);
  // Session tokens obey their own retry rules (a fresh login; the refresh grace window, then reuse): keep nothing.
  if (c.get("sessionTokenResponse")) return release(c.env, scope, key, token);
  if (c.get("secretResponse") && status < 300) return withhold(c, scope, key, token);
  const body = await c.res.clone().text();
  if (body.length > MAX_STORED_BODY) {
    log("warn", "idempotent response too large to store; key released", { requestId: c.get("requestId"), key });
    return release(c.env, scope, key, token);
  }
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = c.res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  try {
    await db(c.env.DB)
      .update(idempotencyKeys)
      .set({
        state: "completed",
        responseStatus: status,
        responseHeaders: JSON.stringify(headers),
        responseBody: seal(bodyKey(c.env), body, `${scope}\n${key}`),
        expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS).toISOString(),
      })
      .where(ownedBy(scope, key, token));
  } catch (err) {
    // The work is done and the client gets its answer; the claim expires after LOCK_MS.
    log("error", "idempotent response not stored", { requestId: c.get("requestId"), error: String(err) });
  }
}

/** Marks the key used without keeping anything of a secret-bearing response. */
async function withhold(c: Context<AppEnv>, scope: string, key: string, token: string) {
  try {
    await db(c.env.DB)
      .update(idempotencyKeys)
      .set({
        state: "withheld",
        responseStatus: c.res.status,
        responseHeaders: null,
        responseBody: null,
        expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS).toISOString(),
      })
      .where(ownedBy(scope, key, token));
  } catch (err) {
    // The claim stays in_progress and expires after LOCK_MS; until then a duplicate answers RES002 (busy).
    log("error", "withheld idempotency key not recorded", { requestId: c.get("requestId"), error: String(err) });
  }
}

/**
 * Route middleware declaring that this route's success response carries a secret: it is never stored for
 * Idempotency-Key replay, and a replay answers RES002 without it. Mount it on every such route, e.g.
 * `middleware: [requireScope("escrows:write"), secretResponse]`.
 */
export const secretResponse: MiddlewareHandler<AppEnv> = async function secretResponse(c, next) {
  c.set("secretResponse", true);
  await next();
};

/**
 * Route middleware declaring that this route answers session tokens (login, refresh, an MFA challenge): the response
 * is never stored and the key is released, so a retry with the same key runs the route again under its own rules —
 * a stored pair replayed for 24 h would outlive a logout and defeat refresh-token reuse detection (API.md).
 */
export const sessionTokenResponse: MiddlewareHandler<AppEnv> = async function sessionTokenResponse(c, next) {
  c.set("sessionTokenResponse", true);
  await next();
};

async function release(env: Bindings, scope: string, key: string, token: string) {
  try {
    await db(env.DB)
      .delete(idempotencyKeys)
      .where(ownedBy(scope, key, token));
  } catch (err) {
    log("error", "idempotency key not released", { error: String(err) });
  }
}

const bodyKeys = new Map<string, Uint8Array>();
/** Derived once per isolate (HKDF), bound to this purpose so it opens nothing else. */
function bodyKey(env: Bindings): Uint8Array {
  let k = bodyKeys.get(env.VAULT_KEK);
  if (!k) bodyKeys.set(env.VAULT_KEK, (k = deriveKey(env.VAULT_KEK, "idempotency-response")));
  return k;
}

function ownedBy(scope: string, key: string, token: string) {
  return and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), eq(idempotencyKeys.claimToken, token));
}

/** Retention (cron "0 3 * * *"): deletes expired keys in bounded chunks so one run never holds D1 long. */
export async function purgeExpiredIdempotencyKeys(env: Bindings, now: Date): Promise<void> {
  let deleted = 0;
  for (let round = 0; round < 50; round++) {
    const result = await env.DB.prepare(
      "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT 1000)",
    )
      .bind(now.toISOString())
      .run();
    deleted += result.meta.changes;
    if (result.meta.changes < 1000) break;
  }
  log("info", "expired idempotency keys deleted", { deleted });
}

// Idempotency-Key records: one row per (caller scope, key) holding the first request's fingerprint and response.
import { sqliteTable, text, integer, primaryKey, index } from "drizzle-orm/sqlite-core";

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    /** `usr:<id>` for an authenticated caller, `ip:<address>` for an anonymous one. */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of method, path and SHA-256 of the body: the same key with another request is RES003. */
    fingerprint: text("fingerprint").notNull(),
    /**
     * `in_progress` while the first request runs, `completed` once its response is stored, `withheld` when the
     * response carried a secret: nothing of it is stored and a replay answers RES002 (API.md).
     */
    state: text("state", { enum: ["in_progress", "completed", "withheld"] }).notNull(),
    /** Random per claim, so only the request that claimed the key stores or releases it. */
    claimToken: text("claim_token").notNull(),
    responseStatus: integer("response_status"),
    /** JSON object of the response headers worth replaying (content-type, location). */
    responseHeaders: text("response_headers"),
    responseBody: text("response_body"),
    createdAt: text("created_at").notNull(),
    /** An in-progress claim older than this is abandoned (the Worker died) and may be taken over. */
    lockedUntil: text("locked_until").notNull(),
    /** 24 h after the response was stored; the retention cron deletes expired rows. */
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_expires_idx").on(t.expiresAt)],
);

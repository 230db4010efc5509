// /api-keys: a user's API keys for partners and scripts. The secret `esk_…` is shown once (create, rotate);
// only its SHA-256 and a display prefix are stored. Managing keys needs a user session: a key cannot mint,
// rotate or revoke keys, so a leaked key can never extend its own reach.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { envelope, errorResponses, isoDate, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { instant } from "../lib/time";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireSession } from "../lib/auth";
import { auditInsert, auditRow, requestOrigin } from "../lib/audit";
import { newId } from "../lib/ids";
import { db } from "../db/client";
import {
  apiKeyView,
  insertApiKeyWithinCap,
  findOwnApiKey,
  keyStatus,
  listApiKeys,
  mintSecret,
  newApiKeyRow,
  revokeStatement,
  rotateStatement,
} from "../db/api-keys";
import { apiKeys } from "../db/schema/identity";
import { SCOPES, scopesBeyondRole } from "../domain/scopes";

/** Keys a user may hold at once (active ones); plenty for integrations, bounded against abuse. */
export const MAX_ACTIVE_KEYS = 25;

const apiKeySchema = z
  .object({
    id: z.string().openapi({ example: "key_3kTq9ZyP0aB1cD2eF3gH" }),
    name: z.string(),
    prefix: z.string().openapi({ example: "esk_AbCd1234", description: "the first characters of the secret" }),
    scopes: z.array(z.string()),
    status: z.enum(["active", "expired", "revoked"]),
    expiresAt: isoDate.nullable(),
    lastUsedAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .openapi("ApiKey");

const apiKeyWithSecret = apiKeySchema
  .extend({ secret: z.string().openapi({ description: "shown only in this response", example: "esk_…" }) })
  .openapi("ApiKeyWithSecret");

const createBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    expiresAt: instant({ future: true, description: "When the key stops working (never when absent)" }).optional(),
  })
  .openapi("CreateApiKey");

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const base = { tags: ["API keys"], middleware: [requireSession()], security: [{ bearer: [] }] };

const createKeyRoute = createRoute({
  ...base,
  middleware: [...base.middleware, secretResponse],
  method: "post",
  path: "/api-keys",
  summary: "Create an API key (the secret is shown once)",
  description:
    "Scopes must lie within the caller's role: viewers may only grant `:read` scopes, and `admin:*` scopes need an admin. " +
    "An admin's key acts as an admin only on routes whose `admin:*` scope it holds.",
  request: { body: jsonBody(createBody) },
  responses: {
    201: jsonContent(envelope(apiKeyWithSecret), "created; store the secret now"),
    ...errorResponses("AUTH003", "AUTH004", "RES002"),
  },
});

const listKeysRoute = createRoute({
  ...base,
  method: "get",
  path: "/api-keys",
  summary: "List the caller's API keys (never the secret)",
  request: { query: pageQuery },
  responses: {
    200: jsonContent(listEnvelope(apiKeySchema), "the caller's keys, newest first"),
    ...errorResponses("AUTH003", "AUTH004"),
  },
});

const rotateKeyRoute = createRoute({
  ...base,
  middleware: [...base.middleware, secretResponse],
  method: "post",
  path: "/api-keys/{id}/rotate",
  summary: "Replace a key's secret; the old secret stops working at once",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(apiKeyWithSecret), "the new secret, shown once"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});

const revokeKeyRoute = createRoute({
  ...base,
  method: "delete",
  path: "/api-keys/{id}",
  summary: "Revoke a key (idempotent)",
  request: { params: idParam },
  responses: { 200: jsonContent(envelope(apiKeySchema), "revoked"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});

export const apiKeyRoutes = createRouter()
  .openapi(createKeyRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const beyond = scopesBeyondRole(principal.role, body.scopes);
    if (beyond.length > 0) {
      throw new ApiError("AUTH003", "A key cannot hold scopes beyond your role", {
        details: beyond.map((scope) => ({ path: "scopes", message: `your role cannot grant ${scope}`, scope })),
      });
    }
    const database = db(c.env.DB);
    const now = new Date();
    const { row, secret } = newApiKeyRow({
      id: newId("key"),
      userId: principal.userId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expiresAt ?? null,
      now: now.toISOString(),
    });
    const audit = auditRow(
      {
        action: "api_key.created",
        actorId: principal.userId,
        ...requestOrigin(c),
        resourceType: "api_key",
        resourceId: row.id,
        data: { name: row.name, scopes: body.scopes, expiresAt: row.expiresAt, prefix: row.prefix },
      },
      now,
    );
    if (!(await insertApiKeyWithinCap(database, row, audit, MAX_ACTIVE_KEYS, now))) {
      throw fail.conflict(`At most ${MAX_ACTIVE_KEYS} active API keys; revoke one first`);
    }
    return ok(c, { ...apiKeyView(row, now), secret }, 201);
  })
  .openapi(listKeysRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const { items, total } = await listApiKeys(db(c.env.DB), principal.userId, pageWindow(query));
    const now = new Date();
    return paginated(
      c,
      items.map((r) => apiKeyView(r, now)),
      query,
      total,
    );
  })
  .openapi(rotateKeyRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const database = db(c.env.DB);
    const key = await findOwnApiKey(database, principal.userId, id);
    if (!key) throw fail.notFound("API key");
    const now = new Date();
    const status = keyStatus(key, now);
    if (status !== "active") throw fail.conflict(`This API key is ${status}; create a new one`, { status });
    const { secret, prefix, secretHash } = mintSecret();
    const [updated] = await database.batch([
      rotateStatement(database, id, secretHash, prefix).returning(),
      auditInsert(
        c.env,
        {
          action: "api_key.rotated",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "api_key",
          resourceId: id,
          data: { oldPrefix: key.prefix, newPrefix: prefix },
        },
        now,
      ),
    ]);
    // A revoke between our read and the batch leaves nothing updated: report it rather than a dead secret.
    if (updated.length === 0) throw fail.conflict("This API key is revoked; create a new one", { status: "revoked" });
    return ok(c, { ...apiKeyView(updated[0]!, now), secret });
  })
  .openapi(revokeKeyRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const database = db(c.env.DB);
    const key = await findOwnApiKey(database, principal.userId, id);
    if (!key) throw fail.notFound("API key");
    const now = new Date();
    if (key.revokedAt) return ok(c, apiKeyView(key, now));
    const [updated] = await database.batch([
      revokeStatement(database, id, now.toISOString()).returning(),
      auditInsert(
        c.env,
        {
          action: "api_key.revoked",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "api_key",
          resourceId: id,
          data: { prefix: key.prefix },
        },
        now,
      ),
    ]);
    return ok(c, apiKeyView(updated[0] ?? { ...key, revokedAt: now.toISOString() }, now));
  });

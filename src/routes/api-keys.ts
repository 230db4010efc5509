// /api-keys: a user's API keys for partners and scripts. The secret `esk_…` is shown once (create, rotate);
// only its SHA-256 and a display prefix are stored. Managing keys needs a user session: a key cannot mint,
// rotate or revoke keys, so a leaked key can never extend its own reach.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { answers, bearerRoute, envelope, idParams, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireSession } from "../lib/auth";
import { requestActor, requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { apiKeyView, listApiKeys } from "../db/api-keys";
import { apiKeySchema, apiKeyWithSecret, createApiKeyBody } from "../schemas/api-keys";
import { createApiKey } from "../services/api-keys/create-api-key";
import { revokeApiKey } from "../services/api-keys/revoke-api-key";
import { rotateApiKey } from "../services/api-keys/rotate-api-key";

const createKeyRoute = createRoute({
  ...bearerRoute("API keys", requireSession(), secretResponse),
  method: "post",
  path: "/api-keys",
  summary: "Create an API key (the secret is shown once)",
  description:
    "Scopes must lie within the caller's role: viewers may only grant `:read` scopes, and `admin:*` scopes need an admin. " +
    "An admin's key acts as an admin only on routes whose `admin:*` scope it holds.",
  request: { body: jsonBody(createApiKeyBody) },
  responses: answers(201, envelope(apiKeyWithSecret), "created; store the secret now", "AUTH003", "AUTH004", "RES002"),
});

const listKeysRoute = createRoute({
  ...bearerRoute("API keys", requireSession()),
  method: "get",
  path: "/api-keys",
  summary: "List the caller's API keys (never the secret)",
  request: { query: pageQuery },
  responses: answers(200, listEnvelope(apiKeySchema), "the caller's keys, newest first", "AUTH003", "AUTH004"),
});

const rotateKeyRoute = createRoute({
  ...bearerRoute("API keys", requireSession(), secretResponse),
  method: "post",
  path: "/api-keys/{id}/rotate",
  summary: "Replace a key's secret; the old secret stops working at once",
  request: { params: idParams },
  responses: answers(
    200,
    envelope(apiKeyWithSecret),
    "the new secret, shown once",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

const revokeKeyRoute = createRoute({
  ...bearerRoute("API keys", requireSession()),
  method: "delete",
  path: "/api-keys/{id}",
  summary: "Revoke a key (idempotent)",
  request: { params: idParams },
  responses: answers(200, envelope(apiKeySchema), "revoked", "AUTH003", "AUTH004", "RES001"),
});

export const apiKeyRoutes = createRouter()
  .openapi(createKeyRoute, async (c) =>
    ok(c, await createApiKey(c.env, principalOf(c), c.req.valid("json"), requestOrigin(c)), 201),
  )
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
  .openapi(rotateKeyRoute, async (c) => ok(c, await rotateApiKey(c.env, requestActor(c), c.req.valid("param").id)))
  .openapi(revokeKeyRoute, async (c) => ok(c, await revokeApiKey(c.env, requestActor(c), c.req.valid("param").id)));

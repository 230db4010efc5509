// /oauth/authorizations: the partner applications a user has authorized (and their own applications' client
// credentials grants), and revoking one — its access and refresh tokens stop working on the very next request,
// since every OAuth bearer is checked against its authorization in D1.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, idParams, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireSession } from "../lib/auth";
import { requestActor } from "../lib/audit";
import { db } from "../db/client";
import { authorizationView, listAuthorizations } from "../db/oauth";
import { revokeAuthorization } from "../services/oauth/revoke-authorization";
import { authorizationSchema } from "../schemas/oauth";

const listRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession()),
  method: "get",
  path: "/oauth/authorizations",
  summary: "Applications you have authorized (live authorizations only)",
  request: { query: pageQuery },
  responses: answers(
    200,
    listEnvelope(authorizationSchema),
    "your live authorizations, newest first",
    "AUTH003",
    "AUTH004",
  ),
});

const revokeRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession()),
  method: "delete",
  path: "/oauth/authorizations/{id}",
  summary: "Revoke an authorization; its tokens stop working at once (idempotent)",
  request: { params: idParams },
  responses: answers(200, envelope(authorizationSchema), "revoked", "AUTH003", "AUTH004", "RES001"),
});

export const oauthAuthorizationRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const { items, total } = await listAuthorizations(db(c.env.DB), principal.userId, pageWindow(query));
    return paginated(c, items.map(authorizationView), query, total);
  })
  .openapi(revokeRoute, async (c) => ok(c, await revokeAuthorization(c.env, requestActor(c), c.req.valid("param").id)));

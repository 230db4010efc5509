// /oauth/authorizations: the partner applications a user has authorized (and their own applications' client
// credentials grants), and revoking one — its access and refresh tokens stop working on the very next request,
// since every OAuth bearer is checked against its authorization in D1.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireSession } from "../lib/auth";
import { auditInsert, requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { authorizationView, findOwnAuthorization, listAuthorizations, revokeGrantStatement } from "../db/oauth";
import { authorizationSchema } from "../schemas/oauth";

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const base = { tags: ["OAuth applications"], middleware: [requireSession()], security: [{ bearer: [] }] };

const listRoute = createRoute({
  ...base,
  method: "get",
  path: "/oauth/authorizations",
  summary: "Applications you have authorized (live authorizations only)",
  request: { query: pageQuery },
  responses: {
    200: jsonContent(listEnvelope(authorizationSchema), "your live authorizations, newest first"),
    ...errorResponses("AUTH003", "AUTH004"),
  },
});

const revokeRoute = createRoute({
  ...base,
  method: "delete",
  path: "/oauth/authorizations/{id}",
  summary: "Revoke an authorization; its tokens stop working at once (idempotent)",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(authorizationSchema), "revoked"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

export const oauthAuthorizationRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const { items, total } = await listAuthorizations(db(c.env.DB), principal.userId, pageWindow(query));
    return paginated(c, items.map(authorizationView), query, total);
  })
  .openapi(revokeRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const database = db(c.env.DB);
    const found = await findOwnAuthorization(database, principal.userId, id);
    if (!found) throw fail.notFound("Authorization");
    if (found.grant.revokedAt) return ok(c, authorizationView(found));
    const now = new Date();
    await database.batch([
      revokeGrantStatement(database, id, "user_revoked", now.toISOString()),
      auditInsert(
        c.env,
        {
          action: "oauth.authorization_revoked",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "oauth_authorization",
          resourceId: id,
          data: { applicationId: found.grant.applicationId },
        },
        now,
      ),
    ]);
    const revoked = { ...found.grant, revokedAt: now.toISOString(), revokedReason: "user_revoked" };
    return ok(c, authorizationView({ ...found, grant: revoked }));
  });

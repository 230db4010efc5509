// /oauth/applications: a partner's OAuth 2 clients (issue 17.4). The client secret `ecs_…` is shown once and
// stored as SHA-256. Like API keys, applications are managed by the person (a session), never by a token, so a
// leaked token cannot widen an application's reach. Deleting one revokes every authorization it holds.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { envelope, errorResponses, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireSession } from "../lib/auth";
import { auditInsert, requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import {
  applicationView,
  deleteApplicationStatements,
  findOwnApplication,
  listApplications,
  updateApplicationStatement,
} from "../db/oauth";
import { scopesBeyondRole } from "../domain/scopes";
import { registerApplication } from "../services/oauth/register-application";
import {
  applicationSchema,
  applicationWithSecret,
  createApplicationBody,
  updateApplicationBody,
} from "../schemas/oauth";

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const base = { tags: ["OAuth applications"], middleware: [requireSession()], security: [{ bearer: [] }] };

const createApplicationRoute = createRoute({
  ...base,
  middleware: [...base.middleware, secretResponse],
  method: "post",
  path: "/oauth/applications",
  summary: "Register a partner application (the client secret is shown once)",
  description:
    "Registers an OAuth 2 client: `clientId` and `clientSecret` authenticate it at `POST /oauth/token` " +
    "(client_secret_basic or client_secret_post). Redirect URIs are compared exactly (on a loopback host the port " +
    "may differ, RFC 8252 §7.3). Scopes are the most the application may ever be granted and must lie within " +
    "your role.",
  request: { body: jsonBody(createApplicationBody) },
  responses: {
    201: jsonContent(envelope(applicationWithSecret), "registered; store the client secret now"),
    ...errorResponses("AUTH003", "AUTH004", "RES002"),
  },
});

const listApplicationsRoute = createRoute({
  ...base,
  method: "get",
  path: "/oauth/applications",
  summary: "List your partner applications (never the secret)",
  request: { query: pageQuery },
  responses: {
    200: jsonContent(listEnvelope(applicationSchema), "your applications, newest first"),
    ...errorResponses("AUTH003", "AUTH004"),
  },
});

const getApplicationRoute = createRoute({
  ...base,
  method: "get",
  path: "/oauth/applications/{id}",
  summary: "One of your partner applications",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(applicationSchema), "the application"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const updateApplicationRoute = createRoute({
  ...base,
  method: "patch",
  path: "/oauth/applications/{id}",
  summary: "Change an application's name, redirect URIs or scopes",
  description:
    "Narrowing the scopes narrows every token already issued at once (a token carries at most the application's " +
    "current scopes); widening them grants nothing until a user consents again.",
  request: { params: idParam, body: jsonBody(updateApplicationBody) },
  responses: {
    200: jsonContent(envelope(applicationSchema), "the changed application"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const deleteApplicationRoute = createRoute({
  ...base,
  method: "delete",
  path: "/oauth/applications/{id}",
  summary: "Delete an application; every token it holds stops working at once",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(z.object({ id: z.string(), deleted: z.literal(true) })), "deleted"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

export const oauthApplicationRoutes = createRouter()
  .openapi(createApplicationRoute, async (c) => {
    const application = await registerApplication(c.env, principalOf(c), c.req.valid("json"), requestOrigin(c));
    return ok(c, application, 201);
  })
  .openapi(listApplicationsRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const { items, total } = await listApplications(db(c.env.DB), principal.userId, pageWindow(query));
    return paginated(c, items.map(applicationView), query, total);
  })
  .openapi(getApplicationRoute, async (c) => {
    const principal = principalOf(c);
    const application = await findOwnApplication(db(c.env.DB), principal.userId, c.req.valid("param").id);
    if (!application) throw fail.notFound("Application");
    return ok(c, applicationView(application));
  })
  .openapi(updateApplicationRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const beyond = body.scopes ? scopesBeyondRole(principal.role, body.scopes) : [];
    if (beyond.length > 0) {
      throw new ApiError("AUTH003", "An application cannot ask for scopes beyond your role", {
        details: beyond.map((scope) => ({ path: "scopes", message: `your role cannot grant ${scope}`, scope })),
      });
    }
    const database = db(c.env.DB);
    if (!(await findOwnApplication(database, principal.userId, id))) throw fail.notFound("Application");
    const now = new Date();
    const [updated] = await database.batch([
      updateApplicationStatement(database, id, body, now.toISOString()),
      auditInsert(
        c.env,
        {
          action: "oauth_application.updated",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "oauth_application",
          resourceId: id,
          data: body,
        },
        now,
      ),
    ]);
    // Deleted between our read and the batch.
    if (!updated[0]) throw fail.notFound("Application");
    return ok(c, applicationView(updated[0]));
  })
  .openapi(deleteApplicationRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const database = db(c.env.DB);
    if (!(await findOwnApplication(database, principal.userId, id))) throw fail.notFound("Application");
    const now = new Date();
    await database.batch([
      ...deleteApplicationStatements(database, id, now.toISOString()),
      auditInsert(
        c.env,
        {
          action: "oauth_application.deleted",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "oauth_application",
          resourceId: id,
        },
        now,
      ),
    ]);
    return ok(c, { id, deleted: true as const });
  });

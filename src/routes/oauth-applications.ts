// /oauth/applications: a partner's OAuth 2 clients (issue 17.4). The client secret `ecs_…` is shown once and
// stored as SHA-256. Like API keys, applications are managed by the person (a session), never by a token, so a
// leaked token cannot widen an application's reach. Deleting one revokes every authorization it holds.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { answers, bearerRoute, deletedSchema, envelope, idParams, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireSession } from "../lib/auth";
import { requestActor, requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { applicationView, listApplications } from "../db/oauth";
import { deleteApplication } from "../services/oauth/delete-application";
import { ownApplication } from "../services/oauth/own-application";
import { updateApplication } from "../services/oauth/update-application";
import { registerApplication } from "../services/oauth/register-application";
import {
  applicationSchema,
  applicationWithSecret,
  createApplicationBody,
  updateApplicationBody,
} from "../schemas/oauth";

const createApplicationRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession(), secretResponse),
  method: "post",
  path: "/oauth/applications",
  summary: "Register a partner application (the client secret is shown once)",
  description:
    "Registers an OAuth 2 client: `clientId` and `clientSecret` authenticate it at `POST /oauth/token` " +
    "(client_secret_basic or client_secret_post). Redirect URIs are compared exactly (on a loopback host the port " +
    "may differ, RFC 8252 §7.3). Scopes are the most the application may ever be granted and must lie within " +
    "your role.",
  request: { body: jsonBody(createApplicationBody) },
  responses: answers(
    201,
    envelope(applicationWithSecret),
    "registered; store the client secret now",
    "AUTH003",
    "AUTH004",
    "RES002",
  ),
});

const listApplicationsRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession()),
  method: "get",
  path: "/oauth/applications",
  summary: "List your partner applications (never the secret)",
  request: { query: pageQuery },
  responses: answers(200, listEnvelope(applicationSchema), "your applications, newest first", "AUTH003", "AUTH004"),
});

const getApplicationRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession()),
  method: "get",
  path: "/oauth/applications/{id}",
  summary: "One of your partner applications",
  request: { params: idParams },
  responses: answers(200, envelope(applicationSchema), "the application", "AUTH003", "AUTH004", "RES001"),
});

const updateApplicationRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession()),
  method: "patch",
  path: "/oauth/applications/{id}",
  summary: "Change an application's name, redirect URIs or scopes",
  description:
    "Narrowing the scopes narrows every token already issued at once (a token carries at most the application's " +
    "current scopes); widening them grants nothing until a user consents again.",
  request: { params: idParams, body: jsonBody(updateApplicationBody) },
  responses: answers(200, envelope(applicationSchema), "the changed application", "AUTH003", "AUTH004", "RES001"),
});

const deleteApplicationRoute = createRoute({
  ...bearerRoute("OAuth applications", requireSession()),
  method: "delete",
  path: "/oauth/applications/{id}",
  summary: "Delete an application; every token it holds stops working at once",
  request: { params: idParams },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001"),
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
    const application = await ownApplication(db(c.env.DB), principalOf(c).userId, c.req.valid("param").id);
    return ok(c, applicationView(application));
  })
  .openapi(updateApplicationRoute, async (c) => {
    const { id } = c.req.valid("param");
    return ok(c, await updateApplication(c.env, principalOf(c), id, c.req.valid("json"), requestOrigin(c)));
  })
  .openapi(deleteApplicationRoute, async (c) => {
    const { id } = c.req.valid("param");
    await deleteApplication(c.env, requestActor(c), id);
    return ok(c, { id, deleted: true as const });
  });

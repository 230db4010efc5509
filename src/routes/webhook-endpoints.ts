// /webhook-endpoints: a user's partner webhook endpoints (Standard Webhooks). The `whsec_` secret is shown on
// create and rotate only; it is stored sealed (we sign with it). An endpoint receives only events its owner may
// see: events whose audience holds the owner, or every event for an admin (see src/domain/webhook-policy.ts).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { envelope, errorResponses, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireScope } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { deliveriesOfEndpoint, deliveryView, endpointView, listOwnEndpoints } from "../db/webhooks";
import type { AppEnv } from "../env";
import {
  createEndpointBody,
  deliverySchema,
  endpointSchema,
  endpointWithSecret,
  patchEndpointBody,
} from "../schemas/webhooks";
import { createEndpoint } from "../services/webhooks/create-endpoint";
import { deleteEndpoint } from "../services/webhooks/delete-endpoint";
import { ownEndpoint } from "../services/webhooks/own-endpoint";
import { rotateEndpointSecret } from "../services/webhooks/rotate-endpoint-secret";
import { sendTestEvent } from "../services/webhooks/send-test-event";
import { updateEndpoint } from "../services/webhooks/update-endpoint";

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const readBase = { tags: ["Webhooks"], middleware: [requireScope("webhooks:read")], security: [{ bearer: [] }] };
const writeBase = { tags: ["Webhooks"], middleware: [requireScope("webhooks:write")], security: [{ bearer: [] }] };

const createEndpointRoute = createRoute({
  ...writeBase,
  middleware: [...writeBase.middleware, secretResponse],
  method: "post",
  path: "/webhook-endpoints",
  summary: "Register a webhook endpoint (the secret is shown once)",
  description:
    "The URL must be https and must not point to a private, loopback or link-local address (VAL001). " +
    "Only literal addresses and local names can be checked: Workers cannot resolve DNS.",
  request: { body: jsonBody(createEndpointBody) },
  responses: {
    201: jsonContent(envelope(endpointWithSecret), "created; store the secret now"),
    ...errorResponses("VAL001", "AUTH003", "AUTH004", "RES002"),
  },
});

const listEndpointsRoute = createRoute({
  ...readBase,
  method: "get",
  path: "/webhook-endpoints",
  summary: "List the caller's webhook endpoints",
  request: { query: pageQuery },
  responses: {
    200: jsonContent(listEnvelope(endpointSchema), "newest first"),
    ...errorResponses("AUTH003", "AUTH004"),
  },
});

const getEndpointRoute = createRoute({
  ...readBase,
  method: "get",
  path: "/webhook-endpoints/{id}",
  summary: "One webhook endpoint",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(endpointSchema), "the endpoint"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const patchEndpointRoute = createRoute({
  ...writeBase,
  method: "patch",
  path: "/webhook-endpoints/{id}",
  summary: "Change an endpoint's URL, events, description or status",
  request: { params: idParam, body: jsonBody(patchEndpointBody) },
  responses: {
    200: jsonContent(envelope(endpointSchema), "updated"),
    ...errorResponses("VAL001", "AUTH003", "AUTH004", "RES001"),
  },
});

const deleteEndpointRoute = createRoute({
  ...writeBase,
  method: "delete",
  path: "/webhook-endpoints/{id}",
  summary: "Delete an endpoint and its delivery log",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(z.object({ id: z.string(), deleted: z.literal(true) })), "deleted"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const rotateSecretRoute = createRoute({
  ...writeBase,
  middleware: [...writeBase.middleware, secretResponse],
  method: "post",
  path: "/webhook-endpoints/{id}/rotate-secret",
  summary: "New signing secret; the old one also signs for 24 hours",
  description:
    "During the overlap `webhook-signature` carries two `v1,` signatures. A second rotation within it drops the oldest secret.",
  request: { params: idParam },
  responses: {
    200: jsonContent(envelope(endpointWithSecret), "the new secret, shown once"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const testEndpointRoute = createRoute({
  ...writeBase,
  method: "post",
  path: "/webhook-endpoints/{id}/test",
  summary: "Send a webhook.test event to this endpoint",
  request: { params: idParam },
  responses: {
    202: jsonContent(envelope(deliverySchema), "queued; follow it in the delivery log"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});

const listDeliveriesRoute = createRoute({
  ...readBase,
  method: "get",
  path: "/webhook-endpoints/{id}/deliveries",
  summary: "The endpoint's delivery log (attempts, status codes, latency, response snippets)",
  request: { params: idParam, query: pageQuery },
  responses: {
    200: jsonContent(listEnvelope(deliverySchema), "newest first"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

/** The caller as the actor of an endpoint flow (audit: who and from where). */
const actorOf = (c: Context<AppEnv>) => ({ userId: principalOf(c).userId, ...requestOrigin(c) });

export const webhookEndpointRoutes = createRouter()
  .openapi(createEndpointRoute, async (c) => ok(c, await createEndpoint(c.env, actorOf(c), c.req.valid("json")), 201))
  .openapi(listEndpointsRoute, async (c) => {
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { rows, total } = await listOwnEndpoints(db(c.env.DB), principalOf(c).userId, limit, offset);
    return paginated(c, rows.map(endpointView), query, total);
  })
  .openapi(getEndpointRoute, async (c) => {
    const endpoint = await ownEndpoint(db(c.env.DB), principalOf(c).userId, c.req.valid("param").id);
    return ok(c, endpointView(endpoint));
  })
  .openapi(patchEndpointRoute, async (c) => {
    const { id } = c.req.valid("param");
    return ok(c, await updateEndpoint(c.env, actorOf(c), id, c.req.valid("json")));
  })
  .openapi(deleteEndpointRoute, async (c) => {
    const { id } = c.req.valid("param");
    await deleteEndpoint(c.env, actorOf(c), id);
    return ok(c, { id, deleted: true as const });
  })
  .openapi(rotateSecretRoute, async (c) =>
    ok(c, await rotateEndpointSecret(c.env, actorOf(c), c.req.valid("param").id)),
  )
  .openapi(testEndpointRoute, async (c) => {
    return ok(c, await sendTestEvent(c.env, principalOf(c).userId, c.req.valid("param").id), 202);
  })
  .openapi(listDeliveriesRoute, async (c) => {
    const endpoint = await ownEndpoint(db(c.env.DB), principalOf(c).userId, c.req.valid("param").id);
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { rows, attempts, total } = await deliveriesOfEndpoint(db(c.env.DB), endpoint.id, limit, offset);
    return paginated(
      c,
      rows.map((r) => deliveryView(r, attempts)),
      query,
      total,
    );
  });

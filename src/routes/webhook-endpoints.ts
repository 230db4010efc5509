// /webhook-endpoints: a user's partner webhook endpoints (Standard Webhooks). The `whsec_` secret is shown on
// create and rotate only; it is stored sealed (we sign with it). An endpoint receives only events its owner may
// see: events whose audience holds the owner, or every event for an admin (see src/domain/webhook-policy.ts).
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { answers, bearerRoute, deletedSchema, envelope, idParams, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireScope } from "../lib/auth";
import { requestActor } from "../lib/audit";
import { db } from "../db/client";
import { deliveriesOfEndpoint, deliveryView, endpointView, listOwnEndpoints } from "../db/webhooks";
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

const createEndpointRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:write"), secretResponse),
  method: "post",
  path: "/webhook-endpoints",
  summary: "Register a webhook endpoint (the secret is shown once)",
  description:
    "The URL must be https and must not point to a private, loopback or link-local address (VAL001). " +
    "Only literal addresses and local names can be checked: Workers cannot resolve DNS.",
  request: { body: jsonBody(createEndpointBody) },
  responses: answers(
    201,
    envelope(endpointWithSecret),
    "created; store the secret now",
    "VAL001",
    "AUTH003",
    "AUTH004",
    "RES002",
  ),
});

const listEndpointsRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:read")),
  method: "get",
  path: "/webhook-endpoints",
  summary: "List the caller's webhook endpoints",
  request: { query: pageQuery },
  responses: answers(200, listEnvelope(endpointSchema), "newest first", "AUTH003", "AUTH004"),
});

const getEndpointRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:read")),
  method: "get",
  path: "/webhook-endpoints/{id}",
  summary: "One webhook endpoint",
  request: { params: idParams },
  responses: answers(200, envelope(endpointSchema), "the endpoint", "AUTH003", "AUTH004", "RES001"),
});

const patchEndpointRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:write")),
  method: "patch",
  path: "/webhook-endpoints/{id}",
  summary: "Change an endpoint's URL, events, description or status",
  request: { params: idParams, body: jsonBody(patchEndpointBody) },
  responses: answers(200, envelope(endpointSchema), "updated", "VAL001", "AUTH003", "AUTH004", "RES001"),
});

const deleteEndpointRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:write")),
  method: "delete",
  path: "/webhook-endpoints/{id}",
  summary: "Delete an endpoint and its delivery log",
  request: { params: idParams },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001"),
});

const rotateSecretRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:write"), secretResponse),
  method: "post",
  path: "/webhook-endpoints/{id}/rotate-secret",
  summary: "New signing secret; the old one also signs for 24 hours",
  description:
    "During the overlap `webhook-signature` carries two `v1,` signatures. A second rotation within it drops the oldest secret.",
  request: { params: idParams },
  responses: answers(200, envelope(endpointWithSecret), "the new secret, shown once", "AUTH003", "AUTH004", "RES001"),
});

const testEndpointRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:write")),
  method: "post",
  path: "/webhook-endpoints/{id}/test",
  summary: "Send a webhook.test event to this endpoint",
  request: { params: idParams },
  responses: answers(
    202,
    envelope(deliverySchema),
    "queued; follow it in the delivery log",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

const listDeliveriesRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:read")),
  method: "get",
  path: "/webhook-endpoints/{id}/deliveries",
  summary: "The endpoint's delivery log (attempts, status codes, latency, response snippets)",
  request: { params: idParams, query: pageQuery },
  responses: answers(200, listEnvelope(deliverySchema), "newest first", "AUTH003", "AUTH004", "RES001"),
});

export const webhookEndpointRoutes = createRouter()
  .openapi(createEndpointRoute, async (c) =>
    ok(c, await createEndpoint(c.env, requestActor(c), c.req.valid("json")), 201),
  )
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
    return ok(c, await updateEndpoint(c.env, requestActor(c), id, c.req.valid("json")));
  })
  .openapi(deleteEndpointRoute, async (c) => {
    const { id } = c.req.valid("param");
    await deleteEndpoint(c.env, requestActor(c), id);
    return ok(c, { id, deleted: true as const });
  })
  .openapi(rotateSecretRoute, async (c) =>
    ok(c, await rotateEndpointSecret(c.env, requestActor(c), c.req.valid("param").id)),
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

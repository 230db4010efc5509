// /webhook-endpoints: a user's partner webhook endpoints (Standard Webhooks). The `whsec_` secret is shown on
// create and rotate only; it is stored sealed (we sign with it). An endpoint receives only events its owner may
// see: events whose audience holds the owner, or every event for an admin (see src/domain/webhook-policy.ts).
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { envelope, errorResponses, isoDate, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { auditInsert, auditRow, requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { webhookDeliveries, webhookEndpoints } from "../db/schema";
import {
  deleteEndpointStatements,
  deliveriesOfEndpoint,
  deliveryView,
  endpointView,
  findOwnEndpoint,
  insertEndpointWithinCap,
  listOwnEndpoints,
  newDeliveryRow,
  newEndpointRow,
  ROTATION_OVERLAP_MS,
  sealSecret,
} from "../db/webhooks";
import { EVENT_TYPES, FEED_ONLY_EVENT_TYPES, validateEventData } from "../domain/events";
import { checkWebhookUrl, privateUrlsAllowed } from "../domain/url-safety";
import { generateWebhookSecret } from "../domain/webhook-signature";
import { enqueueDeliveries, webhookBody } from "../jobs/fan-out-webhooks";
import { newId } from "../lib/ids";
import type { AppEnv } from "../env";
import { deliverySchema } from "../schemas/webhooks";

/** Endpoints a user may hold; plenty for integrations, bounded so one account cannot multiply fan-out. */
export const MAX_ENDPOINTS = 20;

/** Report progress is for the requester's live feed only (API.md), never a partner's webhook. */
const WEBHOOK_EVENT_TYPES = EVENT_TYPES.filter((t) => !FEED_ONLY_EVENT_TYPES.includes(t));

const eventFilter = z
  .array(z.enum(["*", ...WEBHOOK_EVENT_TYPES] as [string, ...string[]]))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((list) => !list.includes("*") || list.length === 1, '"*" stands alone')
  .refine((list) => new Set(list).size === list.length, "event types must be unique")
  .openapi({ example: ["contract.completed", "contract.signed"], description: 'event types, or ["*"] for all' });

const urlField = z.string().trim().min(1).max(2000).openapi({ example: "https://partner.example.com/escra" });

const endpointSchema = z
  .object({
    id: z.string().openapi({ example: "whe_3kTq9ZyP0aB1cD2eF3gH" }),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    status: z.enum(["enabled", "disabled"]),
    disabledReason: z.string().nullable(),
    disabledAt: isoDate.nullable(),
    failingSince: isoDate.nullable(),
    consecutiveFailures: z.number().int(),
    previousSecretExpiresAt: isoDate
      .nullable()
      .openapi({ description: "until then the pre-rotation secret also signs" }),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi("WebhookEndpoint");

const endpointWithSecret = endpointSchema
  .extend({
    secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", description: "shown only here" }),
  })
  .openapi("WebhookEndpointWithSecret");

const createBody = z
  .object({ url: urlField, events: eventFilter, description: z.string().trim().max(500).optional() })
  .openapi("CreateWebhookEndpoint");

const patchBody = z
  .object({
    url: urlField.optional(),
    events: eventFilter.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    status: z.enum(["enabled", "disabled"]).optional().openapi({ description: "enabling clears the failure count" }),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to change")
  .openapi("UpdateWebhookEndpoint");

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
  request: { body: jsonBody(createBody) },
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
  request: { params: idParam, body: jsonBody(patchBody) },
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

function assertSafeUrl(c: Context<AppEnv>, url: string) {
  const check = checkWebhookUrl(url, privateUrlsAllowed(c.env.WEBHOOK_ALLOW_PRIVATE_URLS));
  if (!check.ok) throw fail.invalid([{ path: "url", message: `The URL ${check.reason}` }]);
}

async function ownEndpoint(c: Context<AppEnv>, id: string) {
  const endpoint = await findOwnEndpoint(db(c.env.DB), principalOf(c).userId, id);
  if (!endpoint) throw fail.notFound("Webhook endpoint");
  return endpoint;
}

export const webhookEndpointRoutes = createRouter()
  .openapi(createEndpointRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    assertSafeUrl(c, body.url);
    const database = db(c.env.DB);
    const now = new Date();
    const { row, secret } = newEndpointRow(
      c.env,
      { userId: principal.userId, url: body.url, events: body.events, description: body.description },
      now.toISOString(),
    );
    const audit = auditRow(
      {
        action: "webhook_endpoint.created",
        actorId: principal.userId,
        ...requestOrigin(c),
        resourceType: "webhook_endpoint",
        resourceId: row.id,
        data: { url: row.url, events: body.events },
      },
      now,
    );
    if (!(await insertEndpointWithinCap(database, row, audit, MAX_ENDPOINTS))) {
      throw fail.conflict(`At most ${MAX_ENDPOINTS} webhook endpoints; delete one first`);
    }
    return ok(c, { ...endpointView(row), secret }, 201);
  })
  .openapi(listEndpointsRoute, async (c) => {
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { rows, total } = await listOwnEndpoints(db(c.env.DB), principalOf(c).userId, limit, offset);
    return paginated(c, rows.map(endpointView), query, total);
  })
  .openapi(getEndpointRoute, async (c) => ok(c, endpointView(await ownEndpoint(c, c.req.valid("param").id))))
  .openapi(patchEndpointRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const endpoint = await ownEndpoint(c, c.req.valid("param").id);
    if (body.url !== undefined) assertSafeUrl(c, body.url);
    const now = new Date();
    const enabling = body.status === "enabled" && endpoint.status !== "enabled";
    const database = db(c.env.DB);
    const [updated] = await database.batch([
      database
        .update(webhookEndpoints)
        .set({
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.events !== undefined ? { events: JSON.stringify(body.events) } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.status === "disabled" && endpoint.status !== "disabled"
            ? { status: "disabled" as const, disabledReason: "Disabled by its owner", disabledAt: now.toISOString() }
            : {}),
          ...(enabling
            ? {
                status: "enabled" as const,
                disabledReason: null,
                disabledAt: null,
                failingSince: null,
                consecutiveFailures: 0,
              }
            : {}),
          updatedAt: now.toISOString(),
        })
        .where(eq(webhookEndpoints.id, endpoint.id))
        .returning(),
      auditInsert(
        c.env,
        {
          action: "webhook_endpoint.updated",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "webhook_endpoint",
          resourceId: endpoint.id,
          data: { changed: Object.keys(body) },
        },
        now,
      ),
    ]);
    if (!updated[0]) throw fail.notFound("Webhook endpoint");
    return ok(c, endpointView(updated[0]));
  })
  .openapi(deleteEndpointRoute, async (c) => {
    const principal = principalOf(c);
    const endpoint = await ownEndpoint(c, c.req.valid("param").id);
    const database = db(c.env.DB);
    await database.batch([
      ...deleteEndpointStatements(database, endpoint.id),
      auditInsert(c.env, {
        action: "webhook_endpoint.deleted",
        actorId: principal.userId,
        ...requestOrigin(c),
        resourceType: "webhook_endpoint",
        resourceId: endpoint.id,
        data: { url: endpoint.url },
      }),
    ]);
    return ok(c, { id: endpoint.id, deleted: true as const });
  })
  .openapi(rotateSecretRoute, async (c) => {
    const principal = principalOf(c);
    const endpoint = await ownEndpoint(c, c.req.valid("param").id);
    const now = new Date();
    const secret = generateWebhookSecret();
    const database = db(c.env.DB);
    const [updated] = await database.batch([
      database
        .update(webhookEndpoints)
        .set({
          secretSealed: sealSecret(c.env, endpoint.id, secret),
          previousSecretSealed: endpoint.secretSealed,
          previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
          updatedAt: now.toISOString(),
        })
        .where(eq(webhookEndpoints.id, endpoint.id))
        .returning(),
      auditInsert(
        c.env,
        {
          action: "webhook_endpoint.secret_rotated",
          actorId: principal.userId,
          ...requestOrigin(c),
          resourceType: "webhook_endpoint",
          resourceId: endpoint.id,
        },
        now,
      ),
    ]);
    if (!updated[0]) throw fail.notFound("Webhook endpoint");
    return ok(c, { ...endpointView(updated[0]), secret });
  })
  .openapi(testEndpointRoute, async (c) => {
    const endpoint = await ownEndpoint(c, c.req.valid("param").id);
    if (endpoint.status !== "enabled")
      throw fail.conflict("This endpoint is disabled; enable it first", { status: endpoint.status });
    const data = { endpointId: endpoint.id, message: "This is a test event from Escra." };
    const checked = validateEventData("webhook.test", data);
    if (!checked.success) throw new Error("webhook.test data no longer matches the catalog");
    const now = new Date().toISOString();
    const delivery = newDeliveryRow(
      {
        endpointId: endpoint.id,
        eventId: newId("evt"),
        eventType: "webhook.test",
        payload: webhookBody({ type: "webhook.test", occurredAt: now, data: checked.data }),
      },
      now,
    );
    const database = db(c.env.DB);
    await database.insert(webhookDeliveries).values(delivery);
    await enqueueDeliveries(c.env, [delivery.id], 1);
    return ok(c, deliveryView(delivery, []), 202);
  })
  .openapi(listDeliveriesRoute, async (c) => {
    const endpoint = await ownEndpoint(c, c.req.valid("param").id);
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

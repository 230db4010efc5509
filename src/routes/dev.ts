// Development-only routes (API.md "Development only"): 404 RES001 in any environment but development/test.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, envelope, isoDate, jsonBody, listEnvelope, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError } from "../lib/errors";
import { devOnly } from "../lib/dev-only";
import { listDevMailbox } from "../db/dev-mailbox";
import { deliverTestChargeSuccess } from "../lib/payments/test-provider";
import { processPaystackWebhook } from "../services/payments/process-paystack-webhook";
import { publicRoute } from "../lib/auth";

const mailboxEmail = z
  .object({ to: z.string(), subject: z.string(), text: z.string(), html: z.string(), sentAt: isoDate })
  .openapi("DevMailboxEmail");

const mailboxRoute = createRoute({
  method: "get",
  path: "/dev/mailbox",
  ...openRoute("Development", publicRoute(), devOnly),
  summary: "Emails (and SMS, subject `SMS`, to an E.164 number) the app sent (development only), newest first",
  request: {
    query: pageQuery.extend({
      to: z
        .union([z.email().max(254), z.string().regex(/^\+[1-9]\d{1,14}$/, "an email address or an E.164 phone number")])
        .optional()
        .openapi({ example: "ada@example.com", description: "an email address, or an E.164 number for SMS" }),
    }),
  },
  responses: answers(200, listEnvelope(mailboxEmail), "emails, newest first", "RES001"),
});

const echoBody = z.object({
  message: z.string().min(1).max(1000),
  /** Holds the request open, so tests can send a duplicate while the first is still in flight. */
  delayMs: z.number().int().min(0).max(3000).optional(),
});
const echoResult = z.object({ id: z.string(), message: z.string(), receivedAt: isoDate }).openapi("DevEcho");

// Exercises the request pipeline (validation, body limits, Idempotency-Key) with a real side effect:
// each execution writes one R2 object under dev-echo/, so tests can count how often the work ran.
const echoRoute = createRoute({
  method: "post",
  path: "/dev/echo",
  ...openRoute("Development", publicRoute(), devOnly),
  summary: "Echo a JSON body and record one side effect (development only)",
  request: { body: jsonBody(echoBody) },
  responses: answers(
    201,
    envelope(echoResult),
    "echoed; one dev-echo/ object written",
    "RES001",
    "RES002",
    "RES003",
    "VAL003",
    "VAL004",
  ),
});

export const DEV_ECHO_PREFIX = "dev-echo/";

// The local test payment provider's "customer paid": a correctly signed charge.success to our own webhook.
const paymentSucceedRoute = createRoute({
  method: "post",
  path: "/dev/payments/{reference}/succeed",
  ...openRoute("Development", publicRoute(), devOnly),
  summary: "Make the test payment provider deliver its signed charge.success webhook (development only)",
  request: {
    params: z.object({
      reference: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: "reference", in: "path" } }),
    }),
  },
  responses: answers(
    200,
    envelope(z.object({ reference: z.string(), outcome: z.string() })),
    "delivered; outcome of our webhook",
    "RES001",
  ),
});

export const devRoutes = createRouter()
  .openapi(mailboxRoute, async (c) => {
    const query = c.req.valid("query");
    const { items, total } = await listDevMailbox(c.env.DB, { to: query.to }, pageWindow(query));
    return paginated(c, items, query, total);
  })
  .openapi(echoRoute, async (c) => {
    const { message, delayMs } = c.req.valid("json");
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const echo = { id: c.get("requestId"), message, receivedAt: new Date().toISOString() };
    await c.env.DOCUMENTS.put(`${DEV_ECHO_PREFIX}${echo.id}`, JSON.stringify(echo));
    return ok(c, echo, 201);
  })
  .openapi(paymentSucceedRoute, async (c) => {
    const delivered = await deliverTestChargeSuccess(c.env, c.req.valid("param").reference, (raw, signature) =>
      processPaystackWebhook(c.env, raw, signature),
    );
    if (!delivered) throw new ApiError("RES001", "No such test payment");
    return ok(c, delivered, 200);
  });

// POST /webhooks/paystack: Paystack's event callbacks. Authenticated by x-paystack-signature (HMAC-SHA512 of the
// raw body with our secret key), not by a bearer token; each event is applied once.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, envelope, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { processPaystackWebhook } from "../services/payments/process-paystack-webhook";
import { publicRoute } from "../lib/auth";

const route = createRoute({
  method: "post",
  path: "/webhooks/paystack",
  ...openRoute("Escrow", publicRoute()),
  summary:
    "Paystack events (charge.success, refund.*, transfer.*); x-paystack-signature = hex HMAC-SHA512 of the raw body",
  description:
    "A replayed event (same event and object id) is acknowledged and changes nothing. A bad signature is 401 and " +
    "logged. Nothing is acknowledged before the escrow applied the event: any failure answers non-2xx so Paystack " +
    "retries, and the retry applies it at most once. Outcomes: funded, unmatched (refunded automatically), " +
    "payout_sent, payout_failed, payout_reversed, refund_processed, refund_failed, ignored (recorded, not applied), replay.",
  request: { headers: z.object({ "x-paystack-signature": z.string().max(256).optional() }) },
  responses: answers(
    200,
    envelope(z.object({ received: z.literal(true), outcome: z.string() })),
    "accepted (or a replay, acknowledged)",
    "AUTH004",
    "VAL001",
  ),
});

export const paystackWebhookRoutes = createRouter().openapi(route, async (c) => {
  const raw = await c.req.text();
  const outcome = await processPaystackWebhook(c.env, raw, c.req.header("x-paystack-signature") ?? null);
  return ok(c, { received: true as const, outcome }, 200);
});

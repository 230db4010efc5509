// /webhook-deliveries/:id/retry: one more attempt of a finished delivery, with the same webhook-id and body.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, idParams } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { deliveryView } from "../db/webhooks";
import { retryDelivery } from "../services/webhooks/retry-delivery";
import { deliverySchema } from "../schemas/webhooks";

const retryRoute = createRoute({
  ...bearerRoute("Webhooks", requireScope("webhooks:write")),
  method: "post",
  path: "/webhook-deliveries/{id}/retry",
  summary: "Retry a delivery now (one attempt, same webhook-id)",
  description: "Only a succeeded or failed delivery of an enabled endpoint; one still pending is RES002.",
  request: { params: idParams },
  responses: answers(202, envelope(deliverySchema), "queued", "AUTH003", "AUTH004", "RES001", "RES002"),
});

export const webhookDeliveryRoutes = createRouter().openapi(retryRoute, async (c) => {
  const delivery = await retryDelivery(c.env, principalOf(c).userId, c.req.valid("param").id);
  return ok(c, deliveryView(delivery, []), 202);
});

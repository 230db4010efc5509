// /webhook-deliveries/:id/retry: one more attempt of a finished delivery, with the same webhook-id and body.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, idParams } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { db } from "../db/client";
import { deliveryView, findDelivery, findOwnDelivery, reopenDelivery } from "../db/webhooks";
import { enqueueDeliveries } from "../jobs/fan-out-webhooks";
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
  const database = db(c.env.DB);
  const found = await findOwnDelivery(database, principalOf(c).userId, c.req.valid("param").id);
  if (!found) throw fail.notFound("Webhook delivery");
  if (found.endpoint.status !== "enabled")
    throw fail.conflict("The endpoint is disabled; enable it first", { status: found.endpoint.status });
  if (!(await reopenDelivery(database, found.delivery.id, new Date().toISOString()))) {
    throw fail.conflict("This delivery is still being retried", { status: "pending" });
  }
  await enqueueDeliveries(c.env, [found.delivery.id], found.delivery.attempts + 1, { manual: true });
  const reopened = await findDelivery(database, found.delivery.id);
  return ok(c, deliveryView(reopened ?? found.delivery, []), 202);
});

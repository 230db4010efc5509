// Retrying a finished webhook delivery by hand: one more attempt with the same webhook-id and body, queued at once.
// Only the endpoint's owner may, only while the endpoint is enabled, and not while automatic retries still run.
import type { Bindings } from "../../env";
import { fail } from "../../lib/errors";
import { db } from "../../db/client";
import { findDelivery, findOwnDelivery, reopenDelivery, type WebhookDeliveryRow } from "../../db/webhooks";
import { enqueueDeliveries } from "../../jobs/fan-out-webhooks";

/**
 * Reopens delivery `deliveryId` of one of `userId`'s endpoints and queues its next attempt.
 * @returns the delivery as reopened (pending)
 * @throws ApiError RES001 unknown or not the caller's; RES002 when the endpoint is disabled or the delivery is still
 *   being retried
 */
export async function retryDelivery(env: Bindings, userId: string, deliveryId: string): Promise<WebhookDeliveryRow> {
  const database = db(env.DB);
  const found = await findOwnDelivery(database, userId, deliveryId);
  if (!found) throw fail.notFound("Webhook delivery");
  if (found.endpoint.status !== "enabled")
    throw fail.conflict("The endpoint is disabled; enable it first", { status: found.endpoint.status });
  if (!(await reopenDelivery(database, found.delivery.id, new Date().toISOString()))) {
    throw fail.conflict("This delivery is still being retried", { status: "pending" });
  }
  await enqueueDeliveries(env, [found.delivery.id], found.delivery.attempts + 1, { manual: true });
  return (await findDelivery(database, found.delivery.id)) ?? found.delivery;
}

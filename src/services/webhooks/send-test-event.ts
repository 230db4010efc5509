// A test delivery to an enabled endpoint: a `webhook.test` event, logged and queued like any other delivery.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { deliveryView, insertDelivery, newDeliveryRow } from "../../db/webhooks";
import { validateEventData } from "../../domain/events";
import { fail } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { enqueueDeliveries, webhookBody } from "../../jobs/fan-out-webhooks";
import { ownEndpoint } from "./own-endpoint";

/**
 * @returns the queued delivery's view
 * @throws RES001 for an endpoint that is not the user's; RES002 when it is disabled
 */
export async function sendTestEvent(env: Bindings, userId: string, id: string) {
  const database = db(env.DB);
  const endpoint = await ownEndpoint(database, userId, id);
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
  await insertDelivery(database, delivery);
  await enqueueDeliveries(env, [delivery.id], 1);
  return deliveryView(delivery, []);
}

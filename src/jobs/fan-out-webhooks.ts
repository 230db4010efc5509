// EVENTS consumer: each domain event becomes one delivery (whd_, with a stable msg_ webhook-id) per matching
// endpoint whose owner may see it, and one `webhook.deliver` job per delivery on JOBS.
import type { Bindings } from "../env";
import type { DomainEvent } from "../domain/events";
import { matchesFilter, ownerMaySee } from "../domain/webhook-policy";
import { db } from "../db/client";
import { webhookDeliveries } from "../db/schema";
import { endpointsVisibleTo, newDeliveryRow, unattemptedDeliveriesOf } from "../db/webhooks";
import { newId } from "../lib/ids";
import { queueMessage } from "../lib/queue-messages";
import type { EventConsumer } from "./types";

export const WEBHOOK_DELIVER_JOB = "webhook.deliver";

/** The body partners receive, identical on every attempt. */
export function webhookBody(event: Pick<DomainEvent, "type" | "occurredAt" | "data">): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data });
}

/** One `webhook.deliver` job per 100 deliveries making the same attempt (their POSTs run in parallel). */
export async function enqueueDeliveries(
  env: Bindings,
  deliveryIds: string[],
  attempt: number,
  options: { manual?: boolean } = {},
) {
  const messages = [];
  for (let i = 0; i < deliveryIds.length; i += 100) {
    messages.push({
      body: queueMessage("jobs", WEBHOOK_DELIVER_JOB, newId("msg"), {
        deliveryIds: deliveryIds.slice(i, i + 100),
        attempt,
        ...(options.manual ? { manual: true } : {}),
      }),
    });
  }
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < messages.length; i += 100) await env.JOBS.sendBatch(messages.slice(i, i + 100));
}

export const fanOutWebhooksConsumer: EventConsumer = {
  name: "webhooks",
  async consume(event, env) {
    // A test event goes only to the endpoint it tests; the route creates that delivery itself.
    if (event.type === "webhook.test") return;
    const database = db(env.DB);
    const candidates = await endpointsVisibleTo(database, event.audience);
    const targets = candidates.filter(
      ({ endpoint, ownerRole }) =>
        ownerMaySee({ id: endpoint.userId, role: ownerRole }, event.audience) &&
        matchesFilter(JSON.parse(endpoint.events) as string[], event.type),
    );
    if (targets.length > 0) {
      const now = new Date().toISOString();
      const payload = webhookBody(event);
      const inserts = targets.map(({ endpoint }) =>
        database
          .insert(webhookDeliveries)
          .values(newDeliveryRow({ endpointId: endpoint.id, eventId: event.id, eventType: event.type, payload }, now))
          .onConflictDoNothing(),
      );
      await database.batch(inserts as [(typeof inserts)[number], ...(typeof inserts)[number][]]);
    }
    // Re-read rather than trust the inserts: a redelivered event re-enqueues deliveries whose job never got sent.
    const pending = await unattemptedDeliveriesOf(database, event.id);
    if (pending.length > 0)
      await enqueueDeliveries(
        env,
        pending.map((d) => d.id),
        1,
      );
  },
};

// Runs one domain event through every registered consumer, skipping those that already handled it.
import { and, eq } from "drizzle-orm";
import type { Bindings } from "../env";
import { db } from "../db/client";
import { eventConsumptions } from "../db/schema";
import { eventPayloadSchema, isEventType, validateEventData, type DomainEvent } from "../domain/events";
import type { QueueMessage } from "../lib/queue-messages";
import { log } from "../lib/request-context";
import type { DeliveryContext, EventConsumer } from "./types";

/** Thrown for a message that can never be consumed (unknown type, bad data): the dispatcher dead-letters it. */
export class UnconsumableEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnconsumableEvent";
  }
}

export function toDomainEvent(message: QueueMessage): DomainEvent {
  if (!isEventType(message.kind)) throw new UnconsumableEvent(`unknown event type ${message.kind}`);
  const payload = eventPayloadSchema.safeParse(message.payload);
  if (!payload.success) throw new UnconsumableEvent(`malformed ${message.kind} event payload`);
  const data = validateEventData(message.kind, payload.data.data);
  if (!data.success) throw new UnconsumableEvent(`invalid ${message.kind} event data`);
  return { id: message.id, type: message.kind, ...payload.data, data: data.data };
}

/**
 * Every consumer runs even if an earlier one failed; successes are recorded per (event, consumer), so a
 * redelivery (retry or dead-letter replay) only re-runs the consumers that failed. Throws if any failed.
 */
export async function consumeEvent(
  event: DomainEvent,
  consumers: readonly EventConsumer[],
  env: Bindings,
  ctx: DeliveryContext,
): Promise<void> {
  const database = db(env.DB);
  const done = new Set(
    (
      await database
        .select({ consumer: eventConsumptions.consumer })
        .from(eventConsumptions)
        .where(eq(eventConsumptions.eventId, event.id))
    ).map((r) => r.consumer),
  );
  const failures: { consumer: string; error: unknown }[] = [];
  for (const consumer of consumers) {
    if (done.has(consumer.name)) continue;
    try {
      await consumer.consume(event, env, ctx);
      await database
        .insert(eventConsumptions)
        .values({ eventId: event.id, consumer: consumer.name, completedAt: new Date().toISOString() })
        .onConflictDoNothing();
    } catch (error) {
      failures.push({ consumer: consumer.name, error });
      log("warn", "event consumer failed", {
        eventId: event.id,
        type: event.type,
        consumer: consumer.name,
        attempts: ctx.attempts,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (failures.length > 0) {
    // Re-throw the first so a RetryLater from a consumer still sets the delay.
    throw failures[0]!.error;
  }
}

/** For tests and admin views: has this consumer completed this event? */
export async function hasConsumed(env: Bindings, eventId: string, consumer: string): Promise<boolean> {
  const row = await db(env.DB)
    .select({ consumer: eventConsumptions.consumer })
    .from(eventConsumptions)
    .where(and(eq(eventConsumptions.eventId, eventId), eq(eventConsumptions.consumer, consumer)))
    .get();
  return row !== undefined;
}

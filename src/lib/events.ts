// publishEvent(): the one way a domain event enters the EVENTS queue, validated against the catalog first.
import type { Bindings } from "../env";
import { validateEventData, type EventData, type EventSubject, type EventType } from "../domain/events";
import { newId } from "./ids";
import { queueMessage, type QueueMessage } from "./queue-messages";

export interface PublishEventInput<T extends EventType> {
  type: T;
  data: EventData<T>;
  actorId?: string | null;
  subject: EventSubject;
  audience?: string[];
}

export class InvalidEventError extends Error {
  constructor(
    readonly type: string,
    readonly issues: { path: string; message: string }[],
  ) {
    // A producer bug, not bad client input: it surfaces as SYS001 and in the logs with the details.
    super(`invalid ${type} event: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "InvalidEventError";
  }
}

/** Validates and builds the EVENTS message for an event without sending it (for batching). */
export function buildEventMessage<T extends EventType>(input: PublishEventInput<T>): QueueMessage {
  const checked = validateEventData(input.type, input.data);
  if (!checked.success) throw new InvalidEventError(input.type, checked.issues);
  const id = newId("evt");
  return queueMessage("events", input.type, id, {
    data: checked.data,
    actorId: input.actorId ?? null,
    subject: input.subject,
    audience: [...new Set(input.audience ?? [])],
    occurredAt: new Date().toISOString(),
  });
}

export async function publishEvent<T extends EventType>(
  env: Bindings,
  input: PublishEventInput<T>,
): Promise<{ id: string }> {
  const message = buildEventMessage(input);
  await env.EVENTS.send(message);
  return { id: message.id };
}

/** Several events in one queue call; all are validated before any is sent. */
export async function publishEvents(env: Bindings, inputs: PublishEventInput<EventType>[]): Promise<{ ids: string[] }> {
  const messages = inputs.map((input) => buildEventMessage(input));
  if (messages.length > 0) await env.EVENTS.sendBatch(messages.map((body) => ({ body })));
  return { ids: messages.map((m) => m.id) };
}

// Stores dead-lettered queue messages in D1 (idempotent by queue message id) so admins can see and replay them.
import type { Bindings } from "../env";
import { db } from "../db/client";
import { deadLetters } from "../db/schema";
import { isEventType } from "../domain/events";
import { newId } from "../lib/ids";
import { QUEUE_NAMES, queueMessageSchema, type OriginQueue } from "../lib/queue-messages";

/** The queue a message came from: its `origin` stamp, else inferred from its kind (older producers). */
export function originOf(body: unknown): OriginQueue {
  const parsed = queueMessageSchema.safeParse(body);
  if (!parsed.success) return "jobs";
  return parsed.data.origin ?? (isEventType(parsed.data.kind) ? "events" : "jobs");
}

export async function storeDeadLetter(
  env: Bindings,
  input: { messageId: string; body: unknown; attempts: number; origin?: OriginQueue },
): Promise<void> {
  const parsed = queueMessageSchema.safeParse(input.body);
  const origin = input.origin ?? originOf(input.body);
  await db(env.DB)
    .insert(deadLetters)
    .values({
      id: newId("dlq"),
      queue: QUEUE_NAMES[origin],
      messageId: input.messageId,
      kind: parsed.success ? parsed.data.kind : "unknown",
      body: JSON.stringify(input.body ?? null),
      attempts: input.attempts,
      receivedAt: new Date().toISOString(),
    })
    .onConflictDoNothing({ target: deadLetters.messageId });
}

/** Sends a stored dead letter's original body back to the queue it came from (same id: consumers stay idempotent). */
export async function resendDeadLetter(env: Bindings, storedBody: string): Promise<OriginQueue> {
  const body = queueMessageSchema.parse(JSON.parse(storedBody));
  const origin = originOf(body);
  const queues = { events: env.EVENTS, jobs: env.JOBS, documents: env.DOCUMENT_JOBS } as const;
  await queues[origin].send({ ...body, origin });
  return origin;
}

/** Whether a stored body can be replayed at all (a malformed message would only dead-letter again). */
export function isReplayable(storedBody: string): boolean {
  try {
    return queueMessageSchema.safeParse(JSON.parse(storedBody)).success;
  } catch {
    return false;
  }
}

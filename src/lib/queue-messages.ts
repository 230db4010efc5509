// The shape of every message on EVENTS and JOBS, so consumers, the dead-letter store and replay agree.
import { z } from "zod";

/** Queues that carry work; the dead-letter queue stores and replays messages of these. */
export const ORIGIN_QUEUES = ["events", "jobs"] as const;
export type OriginQueue = (typeof ORIGIN_QUEUES)[number];

/** Queue names as in wrangler.toml; `batch.queue` carries these. */
export const QUEUE_NAMES = {
  events: "escra-events",
  jobs: "escra-jobs",
  deadLetters: "escra-dead-letters",
} as const;

export const queueMessageSchema = z.object({
  /** Message kind: an event type on EVENTS (`contract.sent`), a job kind on JOBS (`email.send`). */
  kind: z.string().min(1),
  /** Unique per logical message; consumers use it to stay idempotent under at-least-once delivery. */
  id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  /** The queue it was produced to, so a dead-lettered message can be replayed to it. */
  origin: z.enum(ORIGIN_QUEUES).optional(),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;

/** Builds a message stamped with its origin queue; producers use this rather than object literals. */
export function queueMessage(
  origin: OriginQueue,
  kind: string,
  id: string,
  payload: Record<string, unknown>,
): QueueMessage {
  return { kind, id, payload, createdAt: new Date().toISOString(), origin };
}

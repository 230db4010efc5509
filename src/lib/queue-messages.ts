// The shape of every message on EVENTS, JOBS and DOCUMENT_JOBS, so consumers, the dead-letter store and replay agree.
import { z } from "zod";
import { ApiError } from "./errors";
import { currentCorrelationId } from "./correlation";

/** Queues that carry work; the dead-letter queue stores and replays messages of these. */
export const ORIGIN_QUEUES = ["events", "jobs", "documents"] as const;
export type OriginQueue = (typeof ORIGIN_QUEUES)[number];

/** Queue names as in wrangler.toml; `batch.queue` carries these. */
export const QUEUE_NAMES = {
  events: "escra-events",
  jobs: "escra-jobs",
  /** Document rendering (executed PDF, seal), apart from JOBS so it never delays emails. */
  documents: "escra-documents",
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
  /** The request id of the HTTP request that caused it (lib/correlation.ts); consumers log and pass it on. */
  correlationId: z.string().max(128).optional(),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;

/**
 * Queues refuse a message over 128 KB (Cloudflare Queues "Limits"; ~100 bytes of it are the platform's own
 * metadata), and locally miniflare reports it only as "Unknown Internal Error": we check before sending.
 */
export const MAX_QUEUE_MESSAGE_BYTES = 128_000 - 1_000;

/** Builds a message stamped with its origin queue; producers use this rather than object literals. */
export function queueMessage(
  origin: OriginQueue,
  kind: string,
  id: string,
  payload: Record<string, unknown>,
): QueueMessage {
  const correlationId = currentCorrelationId();
  const message: QueueMessage = {
    kind,
    id,
    payload,
    createdAt: new Date().toISOString(),
    origin,
    ...(correlationId ? { correlationId } : {}),
  };
  assertQueueable(message);
  return message;
}

/** VAL003 (a client error saying what to do) when a message would exceed the queue's size limit. */
export function assertQueueable(message: unknown): void {
  const bytes = new TextEncoder().encode(JSON.stringify(message)).byteLength;
  if (bytes > MAX_QUEUE_MESSAGE_BYTES) {
    throw new ApiError("VAL003", "The request is too large to process in the background; send less content at once", {
      details: { maxBytes: MAX_QUEUE_MESSAGE_BYTES },
    });
  }
}

// The shape of every message on EVENTS and JOBS, so consumers, the dead-letter store and replay agree.
import { z } from "zod";

export const queueMessageSchema = z.object({
  /** Message kind: an event type on EVENTS (`contract.sent`), a job kind on JOBS (`email.send`). */
  kind: z.string().min(1),
  /** Unique per logical message; consumers use it to stay idempotent under at-least-once delivery. */
  id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;

// The one queue dispatcher: routes each message to the handler for its kind; unknown kinds fail loudly.
import type { Bindings } from "../env";
import { queueMessageSchema, type QueueMessage } from "../lib/queue-messages";
import { log } from "../lib/request-context";

export type MessageHandler = (message: QueueMessage, env: Bindings) => Promise<void>;

/** Handlers by message kind. Capability modules register theirs here. */
const jobHandlers: Record<string, MessageHandler> = {
  "system.health": async () => {},
};

/** Consumers of domain events (notifications, webhooks, feeds) register here; each sees every event. */
const eventConsumers: Record<string, MessageHandler> = {};

export async function handleQueueBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    const parsed = queueMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log("error", "malformed queue message", { queue: batch.queue, messageId: message.id });
      message.ack(); // retrying a malformed body can never succeed
      continue;
    }
    try {
      await dispatch(batch.queue, parsed.data, env);
      message.ack();
    } catch (err) {
      log("warn", "queue message failed", {
        queue: batch.queue,
        kind: parsed.data.kind,
        attempts: message.attempts,
        error: err instanceof Error ? err.message : String(err),
      });
      message.retry({ delaySeconds: Math.min(2 ** message.attempts * 5, 43_200) });
    }
  }
}

async function dispatch(queue: string, message: QueueMessage, env: Bindings) {
  if (message.kind === "system.health") return;
  if (queue.endsWith("-events")) {
    for (const consume of Object.values(eventConsumers)) await consume(message, env);
    return;
  }
  const handler = jobHandlers[message.kind];
  if (!handler) throw new Error(`no handler for job kind ${message.kind}`);
  await handler(message, env);
}

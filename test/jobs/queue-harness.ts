// Drives the Worker's real queue handler with a hand-made batch, so retries and attempts are deterministic.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";

let seq = 0;

export async function deliver(
  queue: string,
  body: unknown,
  options: { attempts?: number; messageId?: string; env?: Partial<Cloudflare.Env> } = {},
) {
  const messageId = options.messageId ?? `test-msg-${Date.now()}-${++seq}`;
  const batch = createMessageBatch(queue, [
    { id: messageId, timestamp: new Date(), attempts: options.attempts ?? 1, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...options.env });
  return { messageId, result: await getQueueResult(batch, ctx) };
}

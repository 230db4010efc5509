// Client for the Node-side webhook receiver (test/node/webhook-receiver.ts): script its answers, read deliveries.
import { env } from "cloudflare:workers";

const WEBHOOK_RECEIVER_URL = env.WEBHOOK_RECEIVER_URL!;

export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: string;
  status: number;
  at: string;
}

/** A fresh mailbox on the receiver answering `statuses` in order (then 200); returns its URL. */
export async function receiverBox(script: { statuses?: number[]; retryAfter?: string; delayMs?: number } = {}) {
  const box = `box-${crypto.randomUUID().slice(0, 8)}`;
  const res = await fetch(`${WEBHOOK_RECEIVER_URL}/__script/${box}`, {
    method: "POST",
    body: JSON.stringify({ statuses: script.statuses ?? [], retryAfter: script.retryAfter, delayMs: script.delayMs }),
  });
  if (!res.ok) throw new Error(`receiver answered ${res.status}`);
  return {
    url: `${WEBHOOK_RECEIVER_URL}/${box}`,
    received: async (): Promise<ReceivedDelivery[]> =>
      (await fetch(`${WEBHOOK_RECEIVER_URL}/__requests/${box}`)).json(),
    /** Polls until the box has received at least `n` deliveries. */
    async waitFor(n: number, timeoutMs = 10_000): Promise<ReceivedDelivery[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = await this.received();
        if (list.length >= n) return list;
        if (Date.now() > deadline) throw new Error(`receiver box got ${list.length} of ${n} deliveries in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

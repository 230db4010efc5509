import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { queueMessage } from "../../src/lib/queue-messages";
import { buildEventMessage } from "../../src/lib/events";
import { deliver } from "./queue-harness";

const stored = (messageId: string) =>
  env.DB.prepare("SELECT queue, kind, body, attempts, replayed_at FROM dead_letters WHERE message_id = ?")
    .bind(messageId)
    .first<Record<string, unknown>>();

describe("escra-dead-letters consumer", () => {
  it("stores a dead-lettered job with the queue it came from, once even if redelivered", async () => {
    const body = queueMessage("jobs", "email.send", "eml_00000000000000000001", {
      deliveryId: "eml_00000000000000000001",
    });
    const first = await deliver("escra-dead-letters", body, { messageId: "dlq-msg-1" });
    expect(first.result.explicitAcks).toEqual(["dlq-msg-1"]);
    await deliver("escra-dead-letters", body, { messageId: "dlq-msg-1" });

    const row = await stored("dlq-msg-1");
    expect(row).toMatchObject({ queue: "escra-jobs", kind: "email.send", attempts: 7, replayed_at: null });
    expect(JSON.parse(String(row!.body))).toEqual(body);
    const { results } = await env.DB.prepare("SELECT id FROM dead_letters WHERE message_id = 'dlq-msg-1'").all();
    expect(results).toHaveLength(1);
  });

  it("records events as coming from escra-events", async () => {
    const event = buildEventMessage({
      type: "contract.sent",
      data: { contractId: "ctr_00000000000000000001", status: "pending" },
      subject: { type: "contract", id: "ctr_00000000000000000001" },
    });
    await deliver("escra-dead-letters", event, { messageId: "dlq-msg-2" });
    expect(await stored("dlq-msg-2")).toMatchObject({ queue: "escra-events", kind: "contract.sent" });
  });

  it("infers the origin of messages produced without one", async () => {
    const legacy = { kind: "escrow.funded", id: "evt_x", payload: {}, createdAt: new Date().toISOString() };
    await deliver("escra-dead-letters", legacy, { messageId: "dlq-msg-3" });
    expect(await stored("dlq-msg-3")).toMatchObject({ queue: "escra-events", kind: "escrow.funded" });
  });

  it("keeps malformed messages from the work queues visible instead of retrying them forever", async () => {
    const res = await deliver("escra-jobs", { nonsense: true }, { messageId: "bad-msg-1" });
    expect(res.result.explicitAcks).toEqual(["bad-msg-1"]);
    expect(await stored("bad-msg-1")).toMatchObject({ queue: "escra-jobs", kind: "unknown" });
  });
});

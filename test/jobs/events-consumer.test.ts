import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { buildEventMessage, publishEvent } from "../../src/lib/events";
import { consumeEvent, hasConsumed, toDomainEvent } from "../../src/jobs/consume-event";
import type { EventConsumer } from "../../src/jobs/types";
import { queueMessage } from "../../src/lib/queue-messages";
import { eventConsumers } from "../../src/jobs/dispatcher";
import { deliver } from "./queue-harness";

const ctx = { attempts: 1, lastAttempt: false, queue: "escra-events" };

function sentEvent() {
  return buildEventMessage({
    type: "contract.signed",
    data: { contractId: "ctr_00000000000000000009", status: "pending", signerId: "sig_00000000000000000009" },
    actorId: "usr_00000000000000000009",
    subject: { type: "contract", id: "ctr_00000000000000000009" },
    audience: ["usr_00000000000000000001", "usr_00000000000000000001"],
  });
}

describe("EVENTS consumer", () => {
  it("delivers a published event to the registered consumers through the real queue", async () => {
    const { id } = await publishEvent(env, {
      type: "escrow.funded",
      data: { escrowId: "esc_00000000000000000001", status: "funds_held", amount: 500_000, currency: "NGN" },
      subject: { type: "escrow", id: "esc_00000000000000000001" },
    });
    expect(id).toMatch(/^evt_/);
    const deadline = Date.now() + 10_000;
    while (!(await hasConsumed(env, id, "log"))) {
      if (Date.now() > deadline) throw new Error("event was not consumed");
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it("turns the message into a typed event with a de-duplicated audience", () => {
    const event = toDomainEvent(sentEvent());
    expect(event).toMatchObject({
      type: "contract.signed",
      data: { signerId: "sig_00000000000000000009" },
      actorId: "usr_00000000000000000009",
      audience: ["usr_00000000000000000001"],
    });
  });

  it("re-runs only the consumers that failed when the event is redelivered", async () => {
    const event = toDomainEvent(sentEvent());
    const calls: string[] = [];
    let flaky = true;
    const consumers: EventConsumer[] = [
      { name: "steady", consume: async () => void calls.push("steady") },
      {
        name: "flaky",
        consume: async () => {
          calls.push("flaky");
          if (flaky) throw new Error("partner down");
        },
      },
      { name: "after", consume: async () => void calls.push("after") },
    ];
    await expect(consumeEvent(event, consumers, env, ctx)).rejects.toThrow("partner down");
    expect(calls).toEqual(["steady", "flaky", "after"]);

    flaky = false;
    await consumeEvent(event, consumers, env, { ...ctx, attempts: 2 });
    expect(calls).toEqual(["steady", "flaky", "after", "flaky"]);
    expect(await hasConsumed(env, event.id, "flaky")).toBe(true);
  });

  it("dead-letters an event that can never be consumed instead of retrying it", async () => {
    const bogus = queueMessage("events", "contract.exploded", "evt_00000000000000000077", { data: {} });
    const res = await deliver("escra-events", bogus, { messageId: "evt-msg-77" });
    expect(res.result.explicitAcks).toEqual(["evt-msg-77"]);
    const row = await env.DB.prepare("SELECT queue, kind FROM dead_letters WHERE message_id = 'evt-msg-77'").first();
    expect(row).toEqual({ queue: "escra-events", kind: "contract.exploded" });
  });

  it("retries an event whose consumer fails through the worker's queue handler, then acknowledges it", async () => {
    const message = sentEvent();
    let down = true;
    const partner: EventConsumer = {
      name: "test-partner",
      consume: async () => {
        if (down) throw new Error("partner down");
      },
    };
    eventConsumers.push(partner); // registered like any capability's consumer
    try {
      const failed = await deliver("escra-events", message, { messageId: "evt-msg-1" });
      expect(failed.result.retryMessages).toEqual([{ msgId: "evt-msg-1" }]);
      expect(failed.result.explicitAcks).toEqual([]);
      expect(await hasConsumed(env, message.id, "log")).toBe(true);
      expect(await hasConsumed(env, message.id, "test-partner")).toBe(false);

      down = false;
      const retried = await deliver("escra-events", message, { messageId: "evt-msg-1", attempts: 2 });
      expect(retried.result.explicitAcks).toEqual(["evt-msg-1"]);
      expect(await hasConsumed(env, message.id, "test-partner")).toBe(true);
    } finally {
      eventConsumers.splice(eventConsumers.indexOf(partner), 1);
    }
  });
});

import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { newId } from "../../src/lib/ids";
import { queueMessage } from "../../src/lib/queue-messages";
import { deliver } from "./queue-harness";

// The production provider is Cloudflare's send_email binding: the one third-party boundary faked here.
function fakeMailer(behaviour: "fail" | "succeed") {
  const sent: unknown[] = [];
  const binding = {
    async send(message: unknown) {
      sent.push(message);
      if (behaviour === "fail") throw new Error("destination address not verified");
      return { messageId: `<cf-${sent.length}@escra.test>` };
    },
  } as unknown as SendEmail;
  return { binding, sent };
}

/** A queued delivery row, as sendEmail writes it (without enqueueing, so only this test's batches deliver it). */
async function queuedDelivery(to: string) {
  const id = newId("eml");
  const now = new Date().toISOString();
  await env.DB.prepare(
    "INSERT INTO email_deliveries (id, user_id, `to`, template, data, status, attempts, created_at, updated_at) VALUES (?, NULL, ?, 'notice', ?, 'queued', 0, ?, ?)",
  )
    .bind(id, to, JSON.stringify({ subject: "Your receipt", heading: "Thanks", lines: ["Paid."] }), now, now)
    .run();
  return id;
}

const delivery = (id: string) =>
  env.DB.prepare(
    "SELECT status, attempts, last_error, sent_at, failed_at, provider_message_id, subject, data FROM email_deliveries WHERE id = ?",
  )
    .bind(id)
    .first<Record<string, unknown>>();

const job = (id: string) => queueMessage("jobs", "email.send", id, { deliveryId: id });
const production = (mailer: SendEmail) => ({ ENVIRONMENT: "production" as const, MAILER: mailer });

describe("email.send job", () => {
  // getQueueResult reports which messages were retried but not their delay; the backoff itself is unit-tested
  // in retry-policy.test.ts.
  it("records a provider failure with its reason and asks the queue to retry", async () => {
    const id = await queuedDelivery("buyer@example.com");
    const failing = fakeMailer("fail");

    const first = await deliver("escra-jobs", job(id), { attempts: 1, env: production(failing.binding) });
    expect(first.result.retryMessages).toEqual([{ msgId: first.messageId }]);
    expect(first.result.explicitAcks).toEqual([]);
    expect(await delivery(id)).toMatchObject({ status: "queued", attempts: 1, sent_at: null, failed_at: null });
    expect(String((await delivery(id))!.last_error)).toContain("destination address not verified");

    const second = await deliver("escra-jobs", job(id), { attempts: 2, env: production(failing.binding) });
    expect(second.result.retryMessages).toEqual([{ msgId: second.messageId }]);
    expect(await delivery(id)).toMatchObject({ status: "queued", attempts: 2 });
    expect(failing.sent).toHaveLength(2);
  });

  it("marks the delivery failed on the last attempt (the queue then dead-letters it)", async () => {
    const id = await queuedDelivery("late@example.com");
    const failing = fakeMailer("fail");
    const last = await deliver("escra-jobs", job(id), { attempts: 7, env: production(failing.binding) });
    expect(last.result.retryMessages).toHaveLength(1);
    const row = await delivery(id);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row!.failed_at).toEqual(expect.any(String));
    expect(String(row!.last_error)).toContain("provider rejected the message");
  });

  it("sends through the send_email binding in production with text and HTML parts, then never sends twice", async () => {
    const id = await queuedDelivery("seller@example.com");
    await deliver("escra-jobs", job(id), { attempts: 1, env: production(fakeMailer("fail").binding) });

    const working = fakeMailer("succeed");
    const retry = await deliver("escra-jobs", job(id), { attempts: 2, env: production(working.binding) });
    expect(retry.result.explicitAcks).toEqual([retry.messageId]);
    expect(retry.result.retryMessages).toEqual([]);
    expect(working.sent).toHaveLength(1);
    expect(working.sent[0]).toMatchObject({
      from: { name: "Escra", email: "no-reply@escra.local" },
      to: "seller@example.com",
      subject: "Your receipt",
      text: expect.stringContaining("Paid."),
      html: expect.stringContaining("<h1"),
    });
    const row = await delivery(id);
    expect(row).toMatchObject({
      status: "sent",
      attempts: 2,
      last_error: null,
      provider_message_id: "<cf-1@escra.test>",
      subject: "Your receipt",
    });
    expect(row!.data).toBe("{}"); // template data (codes, tokens) is not kept once sent

    // The queue may deliver the same message again: it is acknowledged without a second send.
    const again = await deliver("escra-jobs", job(id), { attempts: 1, env: production(working.binding) });
    expect(again.result.explicitAcks).toEqual([again.messageId]);
    expect(working.sent).toHaveLength(1);
    expect(await delivery(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("fails a delivery whose provider binding is missing instead of pretending it was sent", async () => {
    const id = await queuedDelivery("nobody@example.com");
    const res = await deliver("escra-jobs", job(id), {
      attempts: 7,
      env: { ENVIRONMENT: "production", MAILER: undefined },
    });
    expect(res.result.retryMessages).toHaveLength(1);
    expect(await delivery(id)).toMatchObject({
      status: "failed",
      last_error: expect.stringContaining("not configured"),
    });
  });

  it("in development writes to the dev mailbox once even when the job is redelivered", async () => {
    const id = await queuedDelivery("twice@example.com");
    await deliver("escra-jobs", job(id));
    await deliver("escra-jobs", job(id));
    const { results } = await env.DB.prepare("SELECT subject FROM dev_mailbox WHERE `to` = ?")
      .bind("twice@example.com")
      .all();
    expect(results).toEqual([{ subject: "Your receipt" }]);
    expect(await delivery(id)).toMatchObject({ status: "sent", attempts: 1 });
  });
});

describe("email.send job under duplicate delivery", () => {
  it("sends once when the queue hands the same job to two consumers at the same time", async () => {
    const id = await queuedDelivery("concurrent@example.com");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sent: unknown[] = [];
    const slow = {
      async send(message: unknown) {
        sent.push(message);
        await gate; // the provider is still working when the duplicate arrives
        return { messageId: "<slow@escra.test>" };
      },
    } as unknown as SendEmail;

    const first = deliver("escra-jobs", job(id), { messageId: "dup-1", env: production(slow) });
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    const duplicate = await deliver("escra-jobs", job(id), { messageId: "dup-2", env: production(slow) });
    expect(duplicate.result.retryMessages).toEqual([{ msgId: "dup-2" }]);
    release();
    const done = await first;
    expect(done.result.explicitAcks).toEqual(["dup-1"]);
    expect(sent).toHaveLength(1);
    expect(await delivery(id)).toMatchObject({ status: "sent", attempts: 1 });

    // When the duplicate comes back after its delay, the email is already sent: acknowledged, not resent.
    const later = await deliver("escra-jobs", job(id), { messageId: "dup-2", attempts: 2, env: production(slow) });
    expect(later.result.explicitAcks).toEqual(["dup-2"]);
    expect(sent).toHaveLength(1);
  });
});

describe("email.send job with the local send_email binding", () => {
  it("sends through the real MAILER binding (wrangler's local emulation) and records the provider's message id", async () => {
    const id = await queuedDelivery("binding@example.com");
    const res = await deliver("escra-jobs", job(id), { env: { ENVIRONMENT: "production" } });
    expect(res.result.explicitAcks).toEqual([res.messageId]);
    const row = await delivery(id);
    expect(row).toMatchObject({ status: "sent", attempts: 1, last_error: null });
    expect(row!.provider_message_id).toEqual(expect.any(String));
  });
});

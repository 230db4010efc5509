import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { newId } from "../../src/lib/ids";
import { queueMessage } from "../../src/lib/queue-messages";
import { buildEventMessage } from "../../src/lib/events";
import { hasConsumed } from "../../src/jobs/consume-event";
import { call } from "../helpers/http";
import { waitForEmail } from "../helpers/mailbox";
import { createUser, type TestUser } from "../helpers/users";
import { deliver } from "../jobs/queue-harness";

let admin: TestUser;
let member: TestUser;

beforeAll(async () => {
  [admin, member] = await Promise.all([createUser({ role: "admin" }), createUser()]);
});

// The dead-letter list is global: other files' messages (and their jobs still failing in the background) share it.
// This file's message ids and addresses carry a tag of their own, and its checks look for its own rows.
const tag = crypto.randomUUID().slice(0, 8);
const address = (name: string) => `${name}-${tag}@example.com`;

/** An email whose job exhausted its attempts: delivery failed, message dead-lettered (through the real DLQ consumer). */
async function deadLetteredEmail(to: string) {
  const id = newId("eml");
  const now = new Date().toISOString();
  await env.DB.prepare(
    "INSERT INTO email_deliveries (id, `to`, template, data, status, attempts, last_error, created_at, updated_at, failed_at) VALUES (?, ?, 'notice', ?, 'failed', 7, 'provider down', ?, ?, ?)",
  )
    .bind(id, to, JSON.stringify({ subject: "Second chance", heading: "Hello again" }), now, now, now)
    .run();
  const messageId = `dlq-${id}`;
  await deliver("escra-dead-letters", queueMessage("jobs", "email.send", id, { deliveryId: id }), { messageId });
  const row = await env.DB.prepare("SELECT id FROM dead_letters WHERE message_id = ?")
    .bind(messageId)
    .first<{ id: string }>();
  return { deliveryId: id, deadLetterId: row!.id };
}

describe("GET /api/v1/admin/dead-letters", () => {
  it("lists dead letters newest first, filtered by queue, with pagination", async () => {
    const email = await deadLetteredEmail(address("list-1"));
    const event = buildEventMessage({
      type: "escrow.disputed",
      data: { escrowId: "esc_00000000000000000042", status: "disputed", reason: "not delivered" },
      subject: { type: "escrow", id: "esc_00000000000000000042" },
    });
    await deliver("escra-dead-letters", event, { messageId: `dlq-event-list-${tag}` });

    const all = await call("GET", "/api/v1/admin/dead-letters?perPage=100", { token: admin.accessToken });
    expect(all.status).toBe(200);
    expect(all.body.data.length).toBeGreaterThanOrEqual(2);
    // Newest first: the whole page by time, and this file's event (received last) before its email job.
    const times = all.body.data.map((d: any) => d.receivedAt as string);
    expect(times).toEqual([...times].sort().reverse());
    const ours = all.body.data.filter(
      (d: any) => d.id === email.deadLetterId || (d.body as { id?: string })?.id === event.id,
    );
    expect(ours).toHaveLength(2);
    expect(ours[1].id).toBe(email.deadLetterId);
    expect(ours[0]).toMatchObject({
      queue: "escra-events",
      kind: "escrow.disputed",
      body: { id: event.id },
      replayedAt: null,
    });

    const jobs = await call("GET", "/api/v1/admin/dead-letters?queue=escra-jobs", { token: admin.accessToken });
    expect(jobs.body.data.every((d: any) => d.queue === "escra-jobs")).toBe(true);
    expect(jobs.body.pagination).toMatchObject({ page: 1, perPage: 20 });
    // Other files' failing jobs can arrive after this file's: look for it past the first page of 20 too.
    const jobsPage = await call("GET", "/api/v1/admin/dead-letters?queue=escra-jobs&perPage=100", {
      token: admin.accessToken,
    });
    expect(jobsPage.body.data.every((d: any) => d.queue === "escra-jobs")).toBe(true);
    expect(jobsPage.body.data.some((d: any) => d.id === email.deadLetterId && d.kind === "email.send")).toBe(true);
  });

  it("rejects an unknown queue filter with VAL001", async () => {
    const res = await call("GET", "/api/v1/admin/dead-letters?queue=escra-nope", { token: admin.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.error!.code).toBe("VAL001");
  });

  it("refuses non-admins (AUTH003) and anonymous callers (AUTH004)", async () => {
    const asMember = await call("GET", "/api/v1/admin/dead-letters", { token: member.accessToken });
    expect(asMember.status).toBe(403);
    expect(asMember.body.error!.code).toBe("AUTH003");
    const anonymous = await call("GET", "/api/v1/admin/dead-letters");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error!.code).toBe("AUTH004");
  });
});

describe("POST /api/v1/admin/dead-letters/:id/replay", () => {
  it("re-sends a dead-lettered email job to JOBS, which then delivers it; a second replay is RES002", async () => {
    const { deliveryId, deadLetterId } = await deadLetteredEmail(address("replay"));

    const res = await call("POST", `/api/v1/admin/dead-letters/${deadLetterId}/replay`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: deadLetterId,
      queue: "escra-jobs",
      kind: "email.send",
      replayedAt: expect.any(String),
    });

    const email = await waitForEmail({ to: address("replay"), subject: "Second chance" });
    expect(email.html).toContain("Hello again");
    const delivery = await env.DB.prepare("SELECT status, attempts FROM email_deliveries WHERE id = ?")
      .bind(deliveryId)
      .first();
    expect(delivery).toEqual({ status: "sent", attempts: 8 });

    const audit = await env.DB.prepare(
      "SELECT actor_id FROM audit_logs WHERE action = 'dead_letter.replayed' AND resource_id = ?",
    )
      .bind(deadLetterId)
      .first();
    expect(audit).toEqual({ actor_id: admin.user.id });

    const again = await call("POST", `/api/v1/admin/dead-letters/${deadLetterId}/replay`, { token: admin.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.error!.code).toBe("RES002");
  });

  it("re-sends a dead-lettered event to EVENTS, where the consumers handle it", async () => {
    const event = buildEventMessage({
      type: "contract.completed",
      data: { contractId: "ctr_00000000000000000077", status: "completed" },
      subject: { type: "contract", id: "ctr_00000000000000000077" },
    });
    await deliver("escra-dead-letters", event, { messageId: `dlq-event-replay-${tag}` });
    const row = await env.DB.prepare("SELECT id FROM dead_letters WHERE message_id = ?")
      .bind(`dlq-event-replay-${tag}`)
      .first<{ id: string }>();

    const res = await call("POST", `/api/v1/admin/dead-letters/${row!.id}/replay`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!(await hasConsumed(env, event.id, "log"))) {
      if (Date.now() > deadline) throw new Error("replayed event was not consumed");
      await new Promise((r) => setTimeout(r, 100));
    }
    const listed = await call("GET", "/api/v1/admin/dead-letters?replayed=true&queue=escra-events", {
      token: admin.accessToken,
    });
    expect(listed.body.data.map((d: any) => d.id)).toContain(row!.id);
  });

  it("answers RES001 for an unknown id, VAL001 for a malformed one, and refuses non-admins", async () => {
    const unknown = await call("POST", `/api/v1/admin/dead-letters/${newId("dlq")}/replay`, {
      token: admin.accessToken,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error!.code).toBe("RES001");

    const malformed = await call("POST", "/api/v1/admin/dead-letters/nope/replay", { token: admin.accessToken });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error!.code).toBe("VAL001");

    const { deadLetterId } = await deadLetteredEmail(address("forbidden"));
    const asMember = await call("POST", `/api/v1/admin/dead-letters/${deadLetterId}/replay`, {
      token: member.accessToken,
    });
    expect(asMember.status).toBe(403);
    expect(asMember.body.error!.code).toBe("AUTH003");
    const anonymous = await call("POST", `/api/v1/admin/dead-letters/${deadLetterId}/replay`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error!.code).toBe("AUTH004");
    const untouched = await env.DB.prepare("SELECT replayed_at FROM dead_letters WHERE id = ?")
      .bind(deadLetterId)
      .first();
    expect(untouched).toEqual({ replayed_at: null });
  });

  it("refuses to replay a malformed message with RES002", async () => {
    await deliver("escra-dead-letters", "not a queue message", { messageId: `dlq-garbage-${tag}` });
    const row = await env.DB.prepare("SELECT id FROM dead_letters WHERE message_id = ?")
      .bind(`dlq-garbage-${tag}`)
      .first<{ id: string }>();
    const res = await call("POST", `/api/v1/admin/dead-letters/${row!.id}/replay`, { token: admin.accessToken });
    expect(res.status).toBe(409);
    expect(res.body.error!.code).toBe("RES002");
  });
});

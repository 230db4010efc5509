// Notifications end to end: events through the real EVENTS queue become in-app rows and emails per preferences.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { publishEvent } from "../../src/lib/events";
import { hasConsumed, toDomainEvent } from "../../src/jobs/consume-event";
import { buildEventMessage } from "../../src/lib/events";
import { notifyConsumer } from "../../src/jobs/notify";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";

function contractEvent(type: "contract.sent" | "contract.updated", audience: string[], title = "Lease") {
  const contractId = `ctr_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  return {
    type,
    data: { contractId, status: "pending" as const, title },
    subject: { type: "contract" as const, id: contractId },
    audience,
  };
}

async function publishAndWait(input: Parameters<typeof publishEvent>[1]) {
  const { id } = await publishEvent(env, input);
  const deadline = Date.now() + 10_000;
  while (!(await hasConsumed(env, id, "notifications"))) {
    if (Date.now() > deadline) throw new Error("notifications consumer did not run");
    await new Promise((r) => setTimeout(r, 100));
  }
  return id;
}

async function emailsAbout(user: TestUser, contractId: string) {
  const rows = await env.DB.prepare("SELECT data FROM email_deliveries WHERE user_id = ? AND template = 'notice'")
    .bind(user.user.id)
    .all<{ data: string }>();
  return rows.results.filter((r) => r.data.includes(contractId) || r.data.includes(`/contracts/${contractId}`));
}

describe("notifications", () => {
  it("turns an event into an in-app notification and an email for each audience user", async () => {
    const alice = await createUser();
    const event = contractEvent("contract.sent", [alice.user.id], "Office lease");
    await publishAndWait(event);

    const list = await call("GET", "/api/v1/notifications", { token: alice.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      id: expect.stringMatching(/^ntf_/),
      type: "contract.sent",
      title: 'Contract "Office lease" was sent for signature',
      subject: { type: "contract", id: event.subject.id },
      data: { contractId: event.subject.id },
      read: false,
    });
    expect(list.body.metadata.unreadCount).toBe(1);
    const mail = await waitForEmail({ to: alice.email, subject: "Office lease" });
    expect(mail.text).toContain("was sent for signature");
    expect(mail.text).toContain(`/contracts/${event.subject.id}`);
    expect(mail.html).toContain("Office lease");
  });

  it("turning an event's email off stops those emails and keeps the in-app ones", async () => {
    const bob = await createUser();
    const put = await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: bob.accessToken,
      body: { preferences: { "contract.sent": { in_app: true, email: false, sms: false } } },
    });
    expect(put.status).toBe(200);

    const sent = contractEvent("contract.sent", [bob.user.id], "Quiet deal");
    await publishAndWait(sent);
    const list = await call("GET", "/api/v1/notifications", { token: bob.accessToken });
    expect(list.body.data.map((n: { type: string }) => n.type)).toEqual(["contract.sent"]);
    expect(await emailsAbout(bob, sent.subject.id)).toEqual([]);

    // Another event type still emails by default: the switch is per event type.
    const cancelled = await publishEvent(env, {
      type: "contract.cancelled",
      data: { contractId: sent.subject.id, status: "cancelled", title: "Quiet deal", reason: "changed plans" },
      subject: sent.subject,
      audience: [bob.user.id],
    });
    await waitForEmail({ to: bob.email, subject: "was cancelled" });
    expect(await hasConsumed(env, cancelled.id, "notifications")).toBe(true);
  });

  it("in-app off keeps the email and hides the notification; the actor is not notified of their own act", async () => {
    const carol = await createUser();
    const dave = await createUser();
    await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: carol.accessToken,
      body: { preferences: { "contract.sent": { in_app: false, email: true, sms: false } } },
    });
    const event = contractEvent("contract.sent", [carol.user.id, dave.user.id], "Hidden");
    await publishAndWait({ ...event, actorId: dave.user.id });
    expect((await call("GET", "/api/v1/notifications", { token: carol.accessToken })).body.data).toEqual([]);
    await waitForEmail({ to: carol.email, subject: "Hidden" });
    expect((await call("GET", "/api/v1/notifications", { token: dave.accessToken })).body.data).toEqual([]);
    expect(await emailsAbout(dave, event.subject.id)).toEqual([]);
  });

  it("notifies once when the event is delivered again", async () => {
    const erin = await createUser();
    const event = toDomainEvent(buildEventMessage(contractEvent("contract.sent", [erin.user.id], "Twice")));
    const ctx = { attempts: 1, lastAttempt: false, queue: "escra-events" };
    await notifyConsumer.consume(event, env, ctx);
    await notifyConsumer.consume(event, env, { ...ctx, attempts: 2 });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE user_id = ?")
      .bind(erin.user.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(1);
    expect(await emailsAbout(erin, event.subject.id)).toHaveLength(1);
  });

  it("filters unread, marks one and all read, and keeps users apart", async () => {
    const frank = await createUser();
    const grace = await createUser();
    for (const title of ["One", "Two", "Three"])
      await publishAndWait(contractEvent("contract.updated", [frank.user.id], title));

    const all = await call("GET", "/api/v1/notifications?perPage=2", { token: frank.accessToken });
    expect(all.body.data).toHaveLength(2);
    expect(all.body.pagination).toMatchObject({ total: 3, perPage: 2, totalPages: 2 });
    const target = all.body.data[0].id as string;

    const denied = await call("POST", `/api/v1/notifications/${target}/read`, { token: grace.accessToken });
    expect(denied.status).toBe(404);
    expect(denied.body.error.code).toBe("RES001");

    const read = await call("POST", `/api/v1/notifications/${target}/read`, { token: frank.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ id: target, read: true });
    const again = await call("POST", `/api/v1/notifications/${target}/read`, { token: frank.accessToken });
    expect(again.body.data.readAt).toBe(read.body.data.readAt);

    const unread = await call("GET", "/api/v1/notifications?unread=true", { token: frank.accessToken });
    expect(unread.body.data).toHaveLength(2);
    expect(unread.body.data.map((n: { id: string }) => n.id)).not.toContain(target);
    expect(unread.body.metadata.unreadCount).toBe(2);

    expect((await call("POST", "/api/v1/notifications/read-all", { token: grace.accessToken })).body.data).toEqual({
      updated: 0,
    });
    expect((await call("POST", "/api/v1/notifications/read-all", { token: frank.accessToken })).body.data).toEqual({
      updated: 2,
    });
    expect((await call("GET", "/api/v1/notifications?unread=true", { token: frank.accessToken })).body.data).toEqual(
      [],
    );
  });

  it("rejects bad queries and anonymous callers", async () => {
    const user = await createUser();
    const bad = await call("GET", "/api/v1/notifications?unread=maybe", { token: user.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    const anon = await call("GET", "/api/v1/notifications");
    expect(anon.body.error.code).toBe("AUTH004");
    const anonRead = await call("POST", "/api/v1/notifications/read-all");
    expect(anonRead.body.error.code).toBe("AUTH004");
  });
});

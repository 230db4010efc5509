// The email digest (issue 13.4): past the user's burst threshold, notice emails wait for one daily digest; the
// settings live with the notification preferences.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { publishEvent } from "../../src/lib/events";
import { hasConsumed } from "../../src/jobs/consume-event";
import worker from "../../src/index";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";

async function notifyOf(user: TestUser, title: string) {
  const contractId = `ctr_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const { id } = await publishEvent(env, {
    type: "contract.sent",
    data: { contractId, status: "pending", title },
    subject: { type: "contract", id: contractId },
    audience: [user.user.id],
  });
  const deadline = Date.now() + 15_000;
  while (!(await hasConsumed(env, id, "notifications"))) {
    if (Date.now() > deadline) throw new Error("notifications consumer did not run");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many notice emails were recorded for the user (sendEmail records each before the queue delivers it). */
async function notices(user: TestUser): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM email_deliveries WHERE user_id = ? AND template = 'notice'",
  )
    .bind(user.user.id)
    .first<{ n: number }>();
  return row!.n;
}

async function runDigestCron() {
  const ctx = createExecutionContext();
  await worker.scheduled!(
    createScheduledController({ cron: "0 7 * * *", scheduledTime: Date.now() }),
    env as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

const putPreferences = (user: TestUser, body: unknown) =>
  call("PUT", "/api/v1/users/me/notification-preferences", { token: user.accessToken, body });

describe("email digest", () => {
  it("has defaults, takes new settings, and refuses bad ones (VAL001)", { timeout: 60_000 }, async () => {
    const user = await createUser();
    const got = await call("GET", "/api/v1/users/me/notification-preferences", { token: user.accessToken });
    expect(got.body.data.digest).toEqual({ threshold: 5, windowMinutes: 10 });
    const put = await putPreferences(user, { digest: { threshold: 2 } });
    expect(put.status).toBe(200);
    expect(put.body.data.digest).toEqual({ threshold: 2, windowMinutes: 10 });
    expect(put.body.data.preferences["contract.sent"]).toBeDefined();
    for (const digest of [
      { threshold: -1 },
      { threshold: 101 },
      { windowMinutes: 0 },
      { windowMinutes: 2.5 },
      { every: 1 },
    ]) {
      const bad = await putPreferences(user, { digest });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("VAL001");
    }
    expect((await putPreferences(user, {})).body.error.code).toBe("VAL001");
    const unauthenticated = await call("PUT", "/api/v1/users/me/notification-preferences", {
      body: { digest: { threshold: 1 } },
    });
    expect(unauthenticated.status).toBe(401);
  });

  it("past the threshold, notices wait for one digest that lists them; nothing is sent twice", async () => {
    const user = await createUser({ name: "Busy Bee" });
    expect((await putPreferences(user, { digest: { threshold: 2, windowMinutes: 60 } })).status).toBe(200);
    for (const title of ["Lease A", "Lease B", "Lease C", "Lease D"]) await notifyOf(user, title);

    expect(await notices(user)).toBe(2);
    await waitForEmail({ to: user.email, subject: "Lease A" });
    await waitForEmail({ to: user.email, subject: "Lease B" });
    // Held notices are still in-app.
    const inApp = await call("GET", "/api/v1/notifications", { token: user.accessToken });
    expect(inApp.body.data).toHaveLength(4);

    await runDigestCron();
    expect(await notices(user)).toBe(3);
    const digest = await waitForEmail({ to: user.email, subject: "Your Escra digest" });
    expect(digest.subject).toBe("Your Escra digest: 2 updates");
    expect(digest.text).toContain("Lease C");
    expect(digest.text).toContain("Lease D");
    expect(digest.text).not.toContain("Lease A");

    await runDigestCron();
    expect(await notices(user)).toBe(3);
  }, 90_000);

  it("a digest that can never be sent is closed unsent (its notices stay in-app); the others are still sent", async () => {
    const [broken, busy] = await Promise.all([createUser(), createUser({ name: "Also Busy" })]);
    // The broken user's notices are held first, so the run meets that digest before the other.
    for (const user of [broken, busy]) {
      expect((await putPreferences(user, { digest: { threshold: 1, windowMinutes: 60 } })).status).toBe(200);
      for (const title of ["Deal X", "Deal Y"]) await notifyOf(user, title);
    }
    // An address sendEmail refuses (a row written before today's checks, say): this digest can never be sent.
    await env.DB.prepare("UPDATE users SET email = ? WHERE id = ?")
      .bind(`not an address ${broken.user.id}`, broken.user.id)
      .run();
    await runDigestCron();
    const digest = await waitForEmail({ to: busy.email, subject: "Your Escra digest" });
    expect(digest.subject).toBe("Your Escra digest: 1 update");
    const held = await env.DB.prepare(
      "SELECT count(*) AS n FROM notifications WHERE user_id = ? AND digest_at IS NOT NULL AND emailed_at IS NULL",
    )
      .bind(broken.user.id)
      .first<{ n: number }>();
    expect(held!.n).toBe(0);
    const inApp = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE user_id = ?")
      .bind(broken.user.id)
      .first<{ n: number }>();
    expect(inApp!.n).toBe(2);
  }, 90_000);

  it("a digest of more notices than it lists is still one email", async () => {
    const user = await createUser();
    expect((await putPreferences(user, { digest: { threshold: 1, windowMinutes: 60 } })).status).toBe(200);
    for (let i = 0; i < 18; i++) await notifyOf(user, `Lease ${i}`);
    await runDigestCron();
    const digest = await waitForEmail({ to: user.email, subject: "Your Escra digest" });
    expect(digest.subject).toBe("Your Escra digest: 17 updates");
    expect(digest.text).toContain("…and 1 more in your notifications.");
  }, 120_000);

  it("threshold 0 turns the digest off: every notice is emailed", async () => {
    const user = await createUser();
    await putPreferences(user, { digest: { threshold: 0 } });
    for (const title of ["Deal 1", "Deal 2", "Deal 3"]) await notifyOf(user, title);
    expect(await notices(user)).toBe(3);
  }, 90_000);
});

// Issue 11 kind 4: a suspended or erased account stops everywhere at once — webhook deliveries to its endpoints
// (new events and queued retries), its API keys, and email queued to act on its behalf. (Sockets:
// test/durable-objects/session-end.test.ts.)
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { publishEvent } from "../../src/lib/events";
import { queueMessage } from "../../src/lib/queue-messages";
import { hasConsumed } from "../../src/jobs/consume-event";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { listEmails } from "../helpers/mailbox";
import { receiverBox } from "../helpers/webhook-receiver";
import { deliver } from "../jobs/queue-harness";

async function createEndpoint(owner: TestUser, url: string) {
  const res = await call("POST", "/api/v1/webhook-endpoints", {
    token: owner.accessToken,
    body: { url, events: ["*"], description: "partner" },
  });
  expect(res.status).toBe(201);
  return res.body.data as { id: string };
}

function contractCompleted(audience: string[]) {
  const contractId = `ctr_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  return publishEvent(env, {
    type: "contract.completed",
    data: { contractId, status: "completed", title: "Supply agreement" },
    subject: { type: "contract", id: contractId },
    audience,
  });
}

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deliveryOf = (endpointId: string, eventId: string) =>
  env.DB.prepare(
    "SELECT id, status, attempts, last_error FROM webhook_deliveries WHERE endpoint_id = ? AND event_id = ?",
  )
    .bind(endpointId, eventId)
    .first<{ id: string; status: string; attempts: number; last_error: string | null }>();

async function suspend(admin: TestUser, user: TestUser) {
  const res = await call("PATCH", `/api/v1/admin/users/${user.user.id}`, {
    token: admin.accessToken,
    body: { suspended: true },
  });
  expect(res.status).toBe(200);
}

describe("suspension stops webhook deliveries (issue 11.4)", () => {
  it("a suspended user's webhook endpoint receives no more events", async () => {
    const admin = await createUser({ role: "admin" });
    const owner = await createUser();
    const box = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url);
    await contractCompleted([owner.user.id]);
    await box.waitFor(1);

    await suspend(admin, owner);
    const after = await contractCompleted([owner.user.id]);
    await until(() => hasConsumed(env, after.id, "webhooks"), "the webhooks consumer");
    expect(await deliveryOf(endpoint.id, after.id)).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(await box.received()).toHaveLength(1);
  });

  it("a delivery already queued for retry is not sent once its owner is suspended", async () => {
    const admin = await createUser({ role: "admin" });
    const owner = await createUser();
    const box = await receiverBox({ statuses: [500] });
    const endpoint = await createEndpoint(owner, box.url);
    const event = await contractCompleted([owner.user.id]);
    const first = await until(async () => {
      const d = await deliveryOf(endpoint.id, event.id);
      return d && d.attempts === 1 && d.status === "pending" ? d : null;
    }, "the first failed attempt");

    await suspend(admin, owner);
    const cancelled = await deliveryOf(endpoint.id, event.id);
    expect(cancelled!.status).toBe("failed");
    expect(cancelled!.last_error).toContain("suspended");
    // The retry job arriving anyway sends nothing.
    await deliver(
      "escra-jobs",
      queueMessage("jobs", "webhook.deliver", `msg_retry${first.id.slice(4, 14)}`, {
        deliveryIds: [first.id],
        attempt: 2,
      }),
    );
    expect(await box.received()).toHaveLength(1);
  });

  it("the delivery job itself refuses an owner suspended after fan-out", async () => {
    const admin = await createUser({ role: "admin" });
    const owner = await createUser();
    const box = await receiverBox({ statuses: [500] });
    const endpoint = await createEndpoint(owner, box.url);
    const event = await contractCompleted([owner.user.id]);
    const first = await until(async () => {
      const d = await deliveryOf(endpoint.id, event.id);
      return d && d.attempts === 1 && d.status === "pending" ? d : null;
    }, "the first failed attempt");
    // Suspended behind the API's back (no cancellation step ran): the job still checks the owner.
    await env.DB.prepare("UPDATE users SET suspended = 1, suspended_at = ? WHERE id = ?")
      .bind(new Date().toISOString(), owner.user.id)
      .run();
    await deliver(
      "escra-jobs",
      queueMessage("jobs", "webhook.deliver", `msg_retry${first.id.slice(4, 14)}`, {
        deliveryIds: [first.id],
        attempt: 2,
      }),
    );
    const row = await deliveryOf(endpoint.id, event.id);
    expect(row!.status).toBe("failed");
    expect(await box.received()).toHaveLength(1);
    const attempt = await env.DB.prepare("SELECT error FROM webhook_attempts WHERE delivery_id = ? AND attempt = 2")
      .bind(first.id)
      .first<{ error: string }>();
    expect(attempt!.error).toBe("endpoint owner suspended or erased");
  });
});

describe("suspension stops API keys and email on the user's behalf (issue 11.4)", () => {
  it("a suspended user's API key stops authenticating at once", async () => {
    const admin = await createUser({ role: "admin" });
    const owner = await createUser();
    const key = await call("POST", "/api/v1/api-keys", {
      token: owner.accessToken,
      body: { name: "CI", scopes: ["contracts:read"] },
    });
    expect(key.status).toBe(201);
    expect((await call("GET", "/api/v1/contracts", { token: key.body.data.secret })).status).toBe(200);
    await suspend(admin, owner);
    const refused = await call("GET", "/api/v1/contracts", { token: key.body.data.secret });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("AUTH002");
  });

  it("email queued on a suspended user's behalf is not sent (cancelled at suspension, and refused by the job)", async () => {
    const admin = await createUser({ role: "admin" });
    const owner = await createUser();
    const to = `invitee-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const now = new Date().toISOString();
    const insert = (id: string) =>
      env.DB.prepare(
        `INSERT INTO email_deliveries (id, user_id, on_behalf_of, "to", template, data, status, attempts, created_at, updated_at)
         VALUES (?, NULL, ?, ?, 'notice', ?, 'queued', 0, ?, ?)`,
      )
        .bind(
          id,
          owner.user.id,
          to,
          JSON.stringify({ subject: "Please sign", heading: "Please sign", lines: ["Sign it"] }),
          now,
          now,
        )
        .run();
    await insert("eml_behalfBefore00000001");
    await suspend(admin, owner);
    const before = await env.DB.prepare(
      "SELECT status, last_error FROM email_deliveries WHERE id = 'eml_behalfBefore00000001'",
    ).first<{ status: string; last_error: string }>();
    expect(before).toEqual({ status: "failed", last_error: "not sent: account suspended" });

    // Queued after the suspension (a race with it): the send job checks the sender itself.
    await insert("eml_behalfAfter000000001");
    await deliver(
      "escra-jobs",
      queueMessage("jobs", "email.send", "eml_behalfAfter000000001", { deliveryId: "eml_behalfAfter000000001" }),
    );
    const after = await env.DB.prepare(
      "SELECT status, last_error FROM email_deliveries WHERE id = 'eml_behalfAfter000000001'",
    ).first<{ status: string; last_error: string }>();
    expect(after).toEqual({ status: "failed", last_error: "sender suspended or erased" });
    expect(await listEmails(to)).toEqual([]);
  });

  it("a share's email names its sharer as the sender it acts for", async () => {
    const owner = await createUser();
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: { title: "Supply agreement", type: "supply", body: "Terms." },
    });
    const to = `friend-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect(
      (
        await call("POST", `/api/v1/contracts/${created.body.data.id}/share`, {
          token: owner.accessToken,
          body: { email: to, permission: "view" },
        })
      ).status,
    ).toBe(201);
    const row = await env.DB.prepare(`SELECT on_behalf_of FROM email_deliveries WHERE "to" = ?`)
      .bind(to)
      .first<{ on_behalf_of: string }>();
    expect(row!.on_behalf_of).toBe(owner.user.id);
  });
});

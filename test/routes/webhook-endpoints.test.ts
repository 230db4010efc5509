// Partner webhooks end to end: endpoints through the API, events through the real queues, deliveries to a real
// HTTP receiver on loopback, every signature checked with the independent `standardwebhooks` package.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import worker from "../../src/index";
import { publishEvent } from "../../src/lib/events";
import { queueMessage } from "../../src/lib/queue-messages";
import { hasConsumed } from "../../src/jobs/consume-event";
import { MAX_ATTEMPTS } from "../../src/domain/webhook-policy";
import { resumeStuckWebhookDeliveries } from "../../src/cron/webhook-sweep";
import { BASE, call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";
import { receiverBox, type ReceivedDelivery } from "../helpers/webhook-receiver";
import { deliver } from "../jobs/queue-harness";

async function createEndpoint(owner: TestUser, url: string, events: string[] = ["*"]) {
  const res = await call("POST", "/api/v1/webhook-endpoints", {
    token: owner.accessToken,
    body: { url, events, description: "partner" },
  });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; secret: string; url: string; events: string[] };
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

function verify(secret: string, d: ReceivedDelivery) {
  return new Webhook(secret).verify(d.body, d.headers) as {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  };
}

async function deliveryOf(endpointId: string, eventId: string) {
  return env.DB.prepare("SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND event_id = ?")
    .bind(endpointId, eventId)
    .first<{ id: string; status: string; attempts: number; message_id: string; next_attempt_at: string | null }>();
}

async function waitForDelivery(
  endpointId: string,
  eventId: string,
  until: (d: NonNullable<Awaited<ReturnType<typeof deliveryOf>>>) => boolean,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await deliveryOf(endpointId, eventId);
    if (row && until(row)) return row;
    if (Date.now() > deadline) throw new Error(`delivery never reached the state: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs attempt `attempt` of a delivery through the worker's real queue handler, now (not after its delay). */
function runAttempt(deliveryId: string, attempt: number) {
  return deliver(
    "escra-jobs",
    queueMessage("jobs", "webhook.deliver", `msg_test${attempt}${deliveryId.slice(4, 12)}`, {
      deliveryIds: [deliveryId],
      attempt,
    }),
  );
}

describe("webhook endpoints", () => {
  it("creates an endpoint with a whsec_ secret of 24–64 bytes, stored sealed, never listed", async () => {
    const owner = await createUser();
    const box = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url, ["contract.completed", "contract.signed"]);
    expect(endpoint.id).toMatch(/^whe_/);
    expect(endpoint.events).toEqual(["contract.completed", "contract.signed"]);
    const raw = atob(endpoint.secret.replace(/^whsec_/, ""));
    expect(raw.length).toBeGreaterThanOrEqual(24);
    expect(raw.length).toBeLessThanOrEqual(64);

    const row = await env.DB.prepare("SELECT secret_sealed FROM webhook_endpoints WHERE id = ?")
      .bind(endpoint.id)
      .first<{ secret_sealed: string }>();
    expect(row!.secret_sealed).not.toContain(endpoint.secret.slice(6));

    const list = await call("GET", "/api/v1/webhook-endpoints", { token: owner.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([endpoint.id]);
    expect(list.body.pagination.total).toBe(1);
    expect(JSON.stringify(list.body)).not.toContain("whsec_");
  });

  it("refuses unknown event types, a * mixed with types, and anonymous callers", async () => {
    const owner = await createUser();
    const bad = await call("POST", "/api/v1/webhook-endpoints", {
      token: owner.accessToken,
      body: { url: "https://example.com/h", events: ["contract.exploded"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    const mixed = await call("POST", "/api/v1/webhook-endpoints", {
      token: owner.accessToken,
      body: { url: "https://example.com/h", events: ["*", "contract.sent"] },
    });
    expect(mixed.body.error.code).toBe("VAL001");
    const anon = await call("POST", "/api/v1/webhook-endpoints", {
      body: { url: "https://example.com/h", events: ["*"] },
    });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe("AUTH004");
  });

  it("refuses private, loopback and non-https URLs with VAL001 when private URLs are not allowed", async () => {
    const owner = await createUser();
    const production = { ...env, WEBHOOK_ALLOW_PRIVATE_URLS: undefined };
    const post = async (url: string) => {
      const res = await worker.fetch(
        new Request(`${BASE}/api/v1/webhook-endpoints`, {
          method: "POST",
          headers: { authorization: `Bearer ${owner.accessToken}`, "content-type": "application/json" },
          body: JSON.stringify({ url, events: ["*"] }),
        }),
        production,
        createExecutionContext(),
      );
      return {
        status: res.status,
        body: (await res.json()) as { error?: { code: string; details: { path: string }[] } },
      };
    };
    for (const url of [
      "https://127.0.0.1:8547/hook",
      "https://2130706433/hook",
      "https://10.1.2.3/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/hook",
      "https://[::ffff:192.168.0.1]/hook",
      "https://localhost/hook",
      "https://db.internal/hook",
      "http://partner.example.com/hook",
    ]) {
      const res = await post(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error!.code).toBe("VAL001");
      expect(res.body.error!.details[0]!.path).toBe("url");
    }
    expect((await post("https://partner.example.com/hook")).status).toBe(201);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = ?")
      .bind(owner.user.id)
      .first<{ n: number }>();
    expect(stored!.n).toBe(1);
  });

  it("hides one user's endpoints and deliveries from another (RES001)", async () => {
    const owner = await createUser();
    const other = await createUser();
    const box = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url);
    for (const [method, path, body] of [
      ["GET", `/api/v1/webhook-endpoints/${endpoint.id}`, undefined],
      ["PATCH", `/api/v1/webhook-endpoints/${endpoint.id}`, { description: "mine now" }],
      ["DELETE", `/api/v1/webhook-endpoints/${endpoint.id}`, undefined],
      ["POST", `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, undefined],
      ["POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, undefined],
      ["GET", `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, undefined],
    ] as const) {
      const res = await call(method, path, { token: other.accessToken, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe("RES001");
    }
    const list = await call("GET", "/api/v1/webhook-endpoints", { token: other.accessToken });
    expect(list.body.data).toEqual([]);
    const still = await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: owner.accessToken });
    expect(still.body.data.description).toBe("partner");
  });

  it("updates, disables and deletes an endpoint", async () => {
    const owner = await createUser();
    const box = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url);
    const patched = await call("PATCH", `/api/v1/webhook-endpoints/${endpoint.id}`, {
      token: owner.accessToken,
      body: { events: ["contract.signed"], description: null, status: "disabled" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ events: ["contract.signed"], description: null, status: "disabled" });
    const empty = await call("PATCH", `/api/v1/webhook-endpoints/${endpoint.id}`, {
      token: owner.accessToken,
      body: {},
    });
    expect(empty.body.error.code).toBe("VAL001");
    const gone = await call("DELETE", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: owner.accessToken });
    expect(gone.body.data).toEqual({ id: endpoint.id, deleted: true });
    expect((await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: owner.accessToken })).status).toBe(
      404,
    );
  });
});

describe("webhook deliveries", () => {
  it("delivers a signed event that verifies with standardwebhooks, only to owners in the audience", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const box = await receiverBox();
    const strangerBox = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url, ["contract.completed"]);
    const strangerEndpoint = await createEndpoint(stranger, strangerBox.url, ["*"]);

    const { id: eventId } = await contractCompleted([owner.user.id]);
    const [received] = await box.waitFor(1);
    const payload = verify(endpoint.secret, received!);
    expect(payload.type).toBe("contract.completed");
    expect(payload.data).toMatchObject({ status: "completed", title: "Supply agreement" });
    expect(received!.headers["webhook-id"]).toMatch(/^msg_/);
    expect(received!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(() => new Webhook(strangerEndpoint.secret).verify(received!.body, received!.headers)).toThrow();

    await waitForDelivery(endpoint.id, eventId, (d) => d.status === "succeeded");
    expect(await hasConsumed(env, eventId, "webhooks")).toBe(true);
    expect(await deliveryOf(strangerEndpoint.id, eventId)).toBeNull();
    expect(await strangerBox.received()).toEqual([]);

    // A type outside the filter is not delivered.
    const signed = await publishEvent(env, {
      type: "contract.signed",
      data: { contractId: "ctr_00000000000000000001", status: "pending", signerId: "sig_00000000000000000001" },
      subject: { type: "contract", id: "ctr_00000000000000000001" },
      audience: [owner.user.id],
    });
    await waitUntil(() => hasConsumed(env, signed.id, "webhooks"));
    expect(await deliveryOf(endpoint.id, signed.id)).toBeNull();
  });

  it("an admin's endpoint receives events of any resource", async () => {
    const admin = await createUser({ role: "admin" });
    const box = await receiverBox();
    const endpoint = await createEndpoint(admin, box.url, ["contract.completed"]);
    await contractCompleted(["usr_00000000000000000042"]);
    const [received] = await box.waitFor(1);
    expect(verify(endpoint.secret, received!).type).toBe("contract.completed");
  });

  it("retries a failing receiver with the same webhook-id until it succeeds, logging every attempt", async () => {
    const owner = await createUser();
    const box = await receiverBox({ statuses: [500, 502] });
    const endpoint = await createEndpoint(owner, box.url);
    const { id: eventId } = await contractCompleted([owner.user.id]);

    const first = await waitForDelivery(endpoint.id, eventId, (d) => d.attempts === 1 && d.next_attempt_at !== null);
    expect(first.status).toBe("pending");
    // 5 s after attempt 1, per the schedule.
    const delay = Date.parse(first.next_attempt_at!) - Date.now();
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(5_000);

    await runAttempt(first.id, 2);
    await waitForDelivery(endpoint.id, eventId, (d) => d.attempts === 2);
    await runAttempt(first.id, 3);
    const done = await waitForDelivery(endpoint.id, eventId, (d) => d.status === "succeeded");
    expect(done.attempts).toBe(3);
    // A stale duplicate of attempt 2 (the real delayed message) sends nothing.
    await runAttempt(first.id, 2);

    const received = await box.received();
    expect(received.map((r) => r.status)).toEqual([500, 502, 200]);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(received[0]!.headers["webhook-id"]).toBe(first.message_id);
    for (const r of received) expect(verify(endpoint.secret, r).type).toBe("contract.completed");
    expect(new Set(received.map((r) => r.body)).size).toBe(1);

    const log = await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`, { token: owner.accessToken });
    expect(log.status).toBe(200);
    const [entry] = log.body.data;
    expect(entry).toMatchObject({
      id: first.id,
      eventId,
      webhookId: first.message_id,
      status: "succeeded",
      attempts: 3,
      lastStatusCode: 200,
    });
    expect(entry.history.map((h: { statusCode: number }) => h.statusCode)).toEqual([500, 502, 200]);
    for (const h of entry.history) {
      expect(h.latencyMs).toBeGreaterThanOrEqual(0);
      expect(new TextEncoder().encode(h.responseSnippet).length).toBeLessThanOrEqual(1024);
    }
    expect(log.body.pagination).toMatchObject({ total: 1, page: 1 });

    // Manual retry: one more attempt, same webhook-id; another user cannot.
    const other = await createUser();
    const denied = await call("POST", `/api/v1/webhook-deliveries/${first.id}/retry`, { token: other.accessToken });
    expect(denied.body.error.code).toBe("RES001");
    const retried = await call("POST", `/api/v1/webhook-deliveries/${first.id}/retry`, { token: owner.accessToken });
    expect(retried.status).toBe(202);
    expect(retried.body.data.status).toBe("pending");
    const again = await box.waitFor(4);
    expect(again[3]!.headers["webhook-id"]).toBe(first.message_id);
    await waitForDelivery(endpoint.id, eventId, (d) => d.status === "succeeded" && d.attempts === 4);
  });

  it("gives up after the last scheduled attempt", async () => {
    const owner = await createUser();
    const box = await receiverBox({ statuses: Array(20).fill(500) });
    const endpoint = await createEndpoint(owner, box.url);
    const { id: eventId } = await contractCompleted([owner.user.id]);
    const first = await waitForDelivery(endpoint.id, eventId, (d) => d.attempts === 1 && d.next_attempt_at !== null);
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      await runAttempt(first.id, attempt);
      await waitForDelivery(endpoint.id, eventId, (d) => d.attempts === attempt);
    }
    const last = await waitForDelivery(endpoint.id, eventId, (d) => d.status === "failed");
    expect(last.next_attempt_at).toBeNull();
    const ep = await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: owner.accessToken });
    expect(ep.body.data).toMatchObject({ status: "enabled", consecutiveFailures: MAX_ATTEMPTS });
    expect(ep.body.data.failingSince).not.toBeNull();
  });

  it("honours Retry-After on a 429", async () => {
    const owner = await createUser();
    const box = await receiverBox({ statuses: [429], retryAfter: "3600" });
    const endpoint = await createEndpoint(owner, box.url);
    const { id: eventId } = await contractCompleted([owner.user.id]);
    const row = await waitForDelivery(endpoint.id, eventId, (d) => d.attempts === 1 && d.next_attempt_at !== null);
    const delay = Date.parse(row.next_attempt_at!) - Date.now();
    expect(delay).toBeGreaterThan(3_500_000);
    expect(delay).toBeLessThanOrEqual(3_600_000);
  });

  it("disables the endpoint on 410 and tells its owner", async () => {
    const owner = await createUser();
    const box = await receiverBox({ statuses: [410] });
    const endpoint = await createEndpoint(owner, box.url);
    const { id: eventId } = await contractCompleted([owner.user.id]);
    await waitForDelivery(endpoint.id, eventId, (d) => d.status === "failed");
    const ep = await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: owner.accessToken });
    expect(ep.body.data).toMatchObject({ status: "disabled", disabledReason: "The endpoint answered 410 Gone" });
    const mail = await waitForEmail({ to: owner.email, subject: "webhook endpoint was disabled" });
    expect(mail.text).toContain(endpoint.id);

    // Nothing more reaches a disabled endpoint; a test event is refused.
    const later = await contractCompleted([owner.user.id]);
    await waitUntil(() => hasConsumed(env, later.id, "webhooks"));
    expect(await deliveryOf(endpoint.id, later.id)).toBeNull();
    const test = await call("POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, { token: owner.accessToken });
    expect(test.body.error.code).toBe("RES002");
    expect(await box.received()).toHaveLength(1);

    // Re-enabling clears the failure state.
    const enabled = await call("PATCH", `/api/v1/webhook-endpoints/${endpoint.id}`, {
      token: owner.accessToken,
      body: { status: "enabled" },
    });
    expect(enabled.body.data).toMatchObject({ status: "enabled", disabledReason: null, consecutiveFailures: 0 });
  });

  it("disables an endpoint that has failed for 5 days", async () => {
    const owner = await createUser();
    const box = await receiverBox({ statuses: [500] });
    const endpoint = await createEndpoint(owner, box.url);
    const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3600 * 1000).toISOString();
    await env.DB.prepare("UPDATE webhook_endpoints SET failing_since = ?, consecutive_failures = 40 WHERE id = ?")
      .bind(sixDaysAgo, endpoint.id)
      .run();
    const { id: eventId } = await contractCompleted([owner.user.id]);
    await waitForDelivery(endpoint.id, eventId, (d) => d.attempts === 1);
    await waitUntil(
      async () =>
        (await call("GET", `/api/v1/webhook-endpoints/${endpoint.id}`, { token: owner.accessToken })).body.data
          .status === "disabled",
    );
    await waitForEmail({ to: owner.email, subject: "webhook endpoint was disabled" });
  });

  it("signs with both the old and the new secret for 24 h after a rotation", async () => {
    const owner = await createUser();
    const box = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url);
    const rotated = await call("POST", `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      token: owner.accessToken,
    });
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.data.secret;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    const overlap = Date.parse(rotated.body.data.previousSecretExpiresAt) - Date.now();
    expect(overlap).toBeGreaterThan(23.9 * 3600 * 1000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600 * 1000);

    const test = await call("POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, { token: owner.accessToken });
    expect(test.status).toBe(202);
    expect(test.body.data).toMatchObject({ eventType: "webhook.test", status: "pending" });
    const [received] = await box.waitFor(1);
    expect(received!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(verify(newSecret, received!)).toMatchObject({ type: "webhook.test", data: { endpointId: endpoint.id } });
    expect(verify(endpoint.secret, received!).type).toBe("webhook.test");

    // After the overlap only the new secret signs.
    await env.DB.prepare("UPDATE webhook_endpoints SET previous_secret_expires_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), endpoint.id)
      .run();
    await call("POST", `/api/v1/webhook-endpoints/${endpoint.id}/test`, { token: owner.accessToken });
    const [, second] = await box.waitFor(2);
    expect(second!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verify(newSecret, second!).type).toBe("webhook.test");
    expect(() => verify(endpoint.secret, second!)).toThrow();
  });
});

describe("stuck deliveries", () => {
  it("the cron sweep records an interrupted attempt and sends the next one with the same webhook-id", async () => {
    const owner = await createUser();
    const box = await receiverBox();
    const endpoint = await createEndpoint(owner, box.url);
    const { id: eventId } = await contractCompleted([owner.user.id]);
    const delivered = await waitForDelivery(endpoint.id, eventId, (d) => d.status === "succeeded");
    await box.waitFor(1);
    // As if attempt 2 had been claimed an hour ago and the worker died mid-POST.
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    await env.DB.prepare(
      "UPDATE webhook_deliveries SET status = 'pending', attempts = 2, last_attempt_at = ?, next_attempt_at = NULL WHERE id = ?",
    )
      .bind(hourAgo, delivered.id)
      .run();

    await resumeStuckWebhookDeliveries(env, new Date());
    const [, again] = await box.waitFor(2);
    expect(again!.headers["webhook-id"]).toBe(delivered.message_id);
    const done = await waitForDelivery(endpoint.id, eventId, (d) => d.status === "succeeded" && d.attempts === 3);
    const attempts = await env.DB.prepare(
      "SELECT attempt, error FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt",
    )
      .bind(done.id)
      .all();
    expect(attempts.results).toEqual([
      { attempt: 1, error: null },
      { attempt: 2, error: "interrupted" },
      { attempt: 3, error: null },
    ]);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

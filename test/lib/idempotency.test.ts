// Idempotency-Key on POST, as API.md says: replay, RES003 on a different request, concurrent duplicates run once,
// failures that did nothing release the key, 24 h retention.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { call } from "../helpers/http";
import { freshIp, pipelineApp, send, sendRaw } from "./pipeline-app";
import { ApiError } from "../../src/lib/errors";
import { ok } from "../../src/lib/respond";
import { runScheduled } from "../../src/cron";
import { IDEMPOTENCY_TTL_MS } from "../../src/lib/idempotency";

/** Echo side effects so far, over every page of the listing: other files in this workerd echo too. */
async function echoCount(): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await env.DOCUMENTS.list({ prefix: "dev-echo/", cursor });
    n += page.objects.length;
    if (!page.truncated) return n;
    cursor = page.cursor;
  }
}

async function keyRow(scope: string, key: string) {
  return env.DB.prepare("SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?").bind(scope, key).first<{
    state: string;
    response_status: number | null;
    response_body: string | null;
    expires_at: string;
  }>();
}

function client() {
  const ip = freshIp();
  return {
    ip,
    post: (body: unknown, key?: string, path = "/api/v1/dev/echo") =>
      call("POST", path, { body, headers: { "cf-connecting-ip": ip, ...(key ? { "idempotency-key": key } : {}) } }),
  };
}

describe("Idempotency-Key", () => {
  it("replays the first response for the same key and body, and does the work once", async () => {
    const { ip, post } = client();
    const before = await echoCount();
    const first = await post({ message: "pay once" }, "key-replay-1");
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const again = await post({ message: "pay once" }, "key-replay-1");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(again.body).toEqual(first.body);
    // The replay is a response of its own: fresh request id, rate-limit headers.
    expect(again.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
    expect(again.headers.get("x-ratelimit-limit")).toBe(env.RATE_LIMIT_PER_MINUTE);

    expect(await echoCount()).toBe(before + 1);
    const row = await keyRow(`ip:${ip}`, "key-replay-1");
    expect(row).toMatchObject({ state: "completed", response_status: 201 });
    // The stored response is sealed: replays may hold tokens (login, API key creation).
    expect(row!.response_body).toMatch(/^v1\./);
    expect(row!.response_body).not.toContain("pay once");
    const ttl = Date.parse(row!.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(IDEMPOTENCY_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(IDEMPOTENCY_TTL_MS);
  });

  it("answers 422 RES003 when the key is reused with a different body, and does nothing", async () => {
    const { post } = client();
    await post({ message: "first" }, "key-mismatch");
    const before = await echoCount();
    const other = await post({ message: "second" }, "key-mismatch");
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ success: false, error: { code: "RES003" } });
    expect(await echoCount()).toBe(before);
  });

  it("performs two identical concurrent POSTs once", async () => {
    const { post } = client();
    const before = await echoCount();
    const body = { message: "at the same moment", delayMs: 400 };
    const [a, b] = await Promise.all([post(body, "key-concurrent"), post(body, "key-concurrent")]);

    expect(await echoCount()).toBe(before + 1);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.data).toEqual(b.body.data);
    const replayed = [a, b].map((r) => r.headers.get("idempotent-replayed"));
    expect(replayed.sort()).toEqual(["true", null].sort());
  });

  it("keeps keys per caller: another client's same key is a new request", async () => {
    const alice = client();
    const bob = client();
    const before = await echoCount();
    await alice.post({ message: "same key" }, "shared-key");
    const other = await bob.post({ message: "same key" }, "shared-key");
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(await echoCount()).toBe(before + 2);
  });

  it("does nothing special without a key: each POST does the work", async () => {
    const { post } = client();
    const before = await echoCount();
    await post({ message: "no key" });
    await post({ message: "no key" });
    expect(await echoCount()).toBe(before + 2);
  });

  it("rejects a key longer than 255 characters with VAL001", async () => {
    const { post } = client();
    const res = await post({ message: "hi" }, "k".repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "VAL001", details: [{ path: "Idempotency-Key" }] });
    expect((await post({ message: "hi" }, "k".repeat(255))).status).toBe(201);
  });

  it("releases the key after a validation failure, so the corrected request can use it", async () => {
    const { ip, post } = client();
    const invalid = await post({ message: "" }, "key-fix-and-retry");
    expect(invalid.status).toBe(400);
    expect(await keyRow(`ip:${ip}`, "key-fix-and-retry")).toBeNull();
    const fixed = await post({ message: "fixed" }, "key-fix-and-retry");
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("answers 409 RES002 while the first request with the key is still running", async () => {
    const { ip, post } = client();
    const body = { message: "slow" };
    // A live claim by another request (its lock has not expired) that never completes within the wait.
    const first = await post(body, "key-busy-probe");
    const fingerprintRow = await env.DB.prepare("SELECT fingerprint FROM idempotency_keys WHERE scope = ? AND key = ?")
      .bind(`ip:${ip}`, "key-busy-probe")
      .first<{ fingerprint: string }>();
    expect(first.status).toBe(201);
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, claim_token, created_at, locked_until, expires_at)
       VALUES (?, 'key-busy', ?, 'in_progress', 'someone-else', ?, ?, ?)`,
    )
      .bind(
        `ip:${ip}`,
        fingerprintRow!.fingerprint,
        new Date(now).toISOString(),
        new Date(now + 60_000).toISOString(),
        new Date(now + IDEMPOTENCY_TTL_MS).toISOString(),
      )
      .run();
    const before = await echoCount();
    const res = await post(body, "key-busy");
    expect(res.status).toBe(409);
    expect(res.body.error!.code).toBe("RES002");
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await echoCount()).toBe(before);
  });

  it("takes over a claim whose request died (lock expired) and does the work", async () => {
    const { ip, post } = client();
    const past = new Date(Date.now() - 1000).toISOString();
    await env.DB.prepare(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, state, claim_token, created_at, locked_until, expires_at)
       VALUES (?, 'key-stale', 'whatever', 'in_progress', 'dead-request', ?, ?, ?)`,
    )
      .bind(`ip:${ip}`, past, past, new Date(Date.now() + IDEMPOTENCY_TTL_MS).toISOString())
      .run();
    const before = await echoCount();
    const res = await post({ message: "after a crash" }, "key-stale");
    expect(res.status).toBe(201);
    expect(await echoCount()).toBe(before + 1);
    expect(await keyRow(`ip:${ip}`, "key-stale")).toMatchObject({ state: "completed" });
  });

  it("treats an expired key as new", async () => {
    const { ip, post } = client();
    await post({ message: "yesterday" }, "key-expired");
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE scope = ? AND key = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), `ip:${ip}`, "key-expired")
      .run();
    const before = await echoCount();
    const res = await post({ message: "today" }, "key-expired");
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(await echoCount()).toBe(before + 1);
  });
});

describe("Idempotency-Key with failing handlers", () => {
  let attempts = 0;
  let conflicts = 0;
  const app = pipelineApp((a) => {
    a.post("/api/v1/test/flaky", (c) => {
      attempts += 1;
      if (attempts === 1) throw new Error("upstream exploded");
      return ok(c, { attempts }, 201);
    });
    a.post("/api/v1/test/conflict", (c) => {
      conflicts += 1;
      if (conflicts === 1) throw new ApiError("RES002", "Contract already signed");
      return ok(c, { conflicts }, 201);
    });
  });

  it("does not keep a 5xx: the client's retry with the same key runs again", async () => {
    const headers = { "cf-connecting-ip": freshIp(), "idempotency-key": "retry-after-500" };
    const failed = await send(app, "POST", "/api/v1/test/flaky", { body: { a: 1 }, headers });
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe("SYS001");
    const retried = await send(app, "POST", "/api/v1/test/flaky", { body: { a: 1 }, headers });
    expect(retried.status).toBe(201);
    expect(retried.body.data).toEqual({ attempts: 2 });
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
  });

  it("keeps a business-rule 4xx and replays it (Stripe semantics)", async () => {
    const headers = { "cf-connecting-ip": freshIp(), "idempotency-key": "replay-409" };
    const first = await send(app, "POST", "/api/v1/test/conflict", { body: { b: 1 }, headers });
    expect(first.status).toBe(409);
    const again = await send(app, "POST", "/api/v1/test/conflict", { body: { b: 1 }, headers });
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(conflicts).toBe(1);
  });
});

describe("Idempotency-Key with multipart uploads", () => {
  let uploads = 0;
  const app = pipelineApp((a) => {
    a.post("/api/v1/test/upload", async (c) => {
      const form = await c.req.parseBody();
      uploads += 1;
      const file = form.file as File;
      return ok(c, { uploads, title: form.title, size: file.size }, 201);
    });
  });

  async function upload(key: string, ip: string, content: string) {
    const form = new FormData();
    form.set("title", "Lease");
    form.set("file", new File([content], "lease.pdf", { type: "application/pdf" }));
    // Each Request serialises the form with a fresh random boundary, as a client's retry would.
    const req = new Request("https://escra.test/api/v1/test/upload", { method: "POST", body: form });
    const body = await req.arrayBuffer();
    const headers = {
      "content-type": req.headers.get("content-type")!,
      "cf-connecting-ip": ip,
      "idempotency-key": key,
    };
    return sendRaw(app, "/api/v1/test/upload", body, headers);
  }

  it("replays a retried upload even though the boundary changed, and still sees a different file", async () => {
    const ip = freshIp();
    const first = await upload("upload-1", ip, "%PDF-1.7 original");
    expect(first.status).toBe(201);
    const retry = await upload("upload-1", ip, "%PDF-1.7 original");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(uploads).toBe(1);
    const changed = await upload("upload-1", ip, "%PDF-1.7 another file");
    expect(changed.status).toBe(422);
    expect(uploads).toBe(1);
  });
});

describe("idempotency retention", () => {
  it("the 03:00 cron deletes expired keys and keeps live ones", async () => {
    const now = Date.now();
    const insert = (key: string, expiresAt: number) =>
      env.DB.prepare(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, state, claim_token, response_status, response_headers,
           response_body, created_at, locked_until, expires_at)
         VALUES ('ip:retention', ?, 'f', 'completed', 't', 201, '{}', '{}', ?, ?, ?)`,
      )
        .bind(key, new Date(now).toISOString(), new Date(now).toISOString(), new Date(expiresAt).toISOString())
        .run();
    await insert("old-1", now - 1000);
    await insert("old-2", now - IDEMPOTENCY_TTL_MS);
    await insert("live", now + 3_600_000);

    const controller = createScheduledController({ cron: "0 3 * * *", scheduledTime: now });
    await runScheduled(controller, env, createExecutionContext());

    const { results } = await env.DB.prepare("SELECT key FROM idempotency_keys WHERE scope = 'ip:retention'").all<{
      key: string;
    }>();
    expect(results.map((r) => r.key)).toEqual(["live"]);
  });
});

// The asynchronous personal-data export (issue 15.1): POST /users/me/exports → queue job → JSON file in R2 → an
// email with the link and `export.ready` on the live feed; the file holds every row (a large account past the
// synchronous export's 1,000-row cap), downloadable 24 h by its owner only, then RES002 and removed by the cron.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";
import { seedManyContracts } from "../helpers/report-seed";
import { LiveClient } from "../durable-objects/live-client";
import { expireDataExports } from "../../src/cron/data-export-expiry";
import { newId } from "../../src/lib/ids";

/** More than EXPORT_ROW_LIMIT (1,000): the synchronous export cuts `contracts`, the asynchronous one must not. */
const CONTRACTS = 1_200;
const HOUR = 3_600_000;

let owner: TestUser, other: TestUser;

async function poll(id: string, token: string) {
  for (let i = 0; i < 300; i++) {
    const res = await call("GET", `/api/v1/users/me/exports/${id}`, { token });
    if (res.body.data?.status === "ready" || res.body.data?.status === "failed") return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`export ${id} did not finish`);
}

/** A pending export written straight to D1 (no job), for the state checks that must not race a running job. */
async function pendingExport(userId: string, status: "queued" | "running" = "queued") {
  const id = newId("dex");
  const at = new Date().toISOString();
  await env.DB.prepare(
    `INSERT INTO data_exports (id, user_id, status, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
  )
    .bind(id, userId, status, at, at, new Date(Date.now() + 24 * HOUR).toISOString())
    .run();
  return id;
}

beforeAll(async () => {
  [owner, other] = await Promise.all([createUser({ name: "Ola Exporter" }), createUser({ name: "Other Reader" })]);
  await seedManyContracts({
    ownerId: owner.user.id,
    tag: "lifeExp001",
    count: CONTRACTS,
    start: "2026-01-01T00:00:00.000Z",
  });
}, 60_000);

describe("POST /users/me/exports", () => {
  let exportId: string;

  it("a large account: the sync export is cut; the async one has every row, emailed and on the feed", async () => {
    const sync = await call("GET", "/api/v1/users/me/export", { token: owner.accessToken });
    expect(sync.status).toBe(200);
    expect(sync.body.data.contracts).toHaveLength(1_000);
    expect(sync.body.data.truncated).toEqual(expect.arrayContaining(["contracts", "files"]));

    const feed = await LiveClient.authed(`/api/v1/live?userId=${owner.user.id}`, owner.accessToken);
    const created = await call("POST", "/api/v1/users/me/exports", { token: owner.accessToken });
    expect(created.status).toBe(202);
    expect(created.body.data).toMatchObject({ status: "queued", downloadUrl: null, size: null });
    exportId = created.body.data.id;
    expect(exportId).toMatch(/^dex_[0-9A-Za-z]{20}$/);

    const email = await waitForEmail({ to: owner.email, subject: "data export is ready", timeoutMs: 60_000 });
    expect(email.text).toContain(`/api/v1/users/me/exports/${exportId}/download`);
    const done = await poll(exportId, owner.accessToken);
    expect(done.body.data).toMatchObject({
      id: exportId,
      status: "ready",
      downloadUrl: `/api/v1/users/me/exports/${exportId}/download`,
    });
    // The link is valid 24 h from when the file was ready.
    expect(Date.parse(done.body.data.expiresAt) - Date.parse(done.body.data.completedAt)).toBe(24 * HOUR);
    expect(email.text).toContain(done.body.data.expiresAt);
    const events = await feed.until("export.ready", 10_000);
    expect(events.at(-1)).toMatchObject({ type: "export.ready", data: { exportId, status: "ready" } });
    await feed.close();

    const file = await fetchWorker(`/api/v1/users/me/exports/${exportId}/download`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toContain("application/json");
    expect(file.headers.get("content-disposition")).toContain(`escra-export-${owner.user.id}.json`);
    const data = (await file.json()) as Record<string, unknown> & {
      contracts: unknown[];
      files: unknown[];
      truncated: string[];
    };
    expect(Number(file.headers.get("content-length"))).toBe(done.body.data.size);
    // Same documented schema as the synchronous export: the same sections, every row, nothing cut.
    const syncKeys = Object.keys(sync.body.data).filter((k) => k !== "exportedAt");
    expect(Object.keys(data)).toEqual(expect.arrayContaining(syncKeys));
    expect(data.truncated).toEqual([]);
    expect(data.contracts).toHaveLength(CONTRACTS);
    expect(new Set(data.contracts.map((c) => (c as { id: string }).id)).size).toBe(CONTRACTS);
    const documents = data.files.filter((f) => (f as { kind: string }).kind === "contractDocument");
    expect(documents).toHaveLength(CONTRACTS);
    expect(documents[0]).toMatchObject({ url: expect.stringMatching(/^\/api\/v1\/contracts\/ctr_\w+\/document$/) });
    expect(data.profile).toMatchObject({ id: owner.user.id, email: owner.email });
  }, 120_000);

  it("another user gets RES001 for the record and the file; an API key is refused (session only)", async () => {
    const read = await call("GET", `/api/v1/users/me/exports/${exportId}`, { token: other.accessToken });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("RES001");
    const download = await call("GET", `/api/v1/users/me/exports/${exportId}/download`, { token: other.accessToken });
    expect(download.status).toBe(404);
    expect(download.body.error.code).toBe("RES001");
    const key = await call("POST", "/api/v1/api-keys", {
      token: owner.accessToken,
      body: { name: "export-key", scopes: ["profile:read"] },
    });
    const byKey = await call("POST", "/api/v1/users/me/exports", { token: key.body.data.secret });
    expect(byKey.body.error.code).toBe("AUTH003");
    expect((await call("POST", "/api/v1/users/me/exports")).body.error.code).toBe("AUTH004");
  });

  it("bad input is VAL001, an unknown export RES001", async () => {
    const bad = await call("GET", "/api/v1/users/me/exports/not-an-export", { token: owner.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    const unknown = await call("GET", `/api/v1/users/me/exports/${newId("dex")}/download`, {
      token: owner.accessToken,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("RES001");
  });

  it("one export at a time: asking again while one is pending is RES002; its file is not ready (RES002)", async () => {
    const pendingId = await pendingExport(other.user.id);
    const again = await call("POST", "/api/v1/users/me/exports", { token: other.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "RES002", details: { exportId: pendingId } });
    const early = await call("GET", `/api/v1/users/me/exports/${pendingId}/download`, { token: other.accessToken });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: "RES002", details: { reason: "export_pending" } });
  });

  it("after 24 h the download is RES002 export_expired, and the expiry cron removes the file from R2", async () => {
    const row = await env.DB.prepare("SELECT r2_key, expires_at FROM data_exports WHERE id = ?")
      .bind(exportId)
      .first<{ r2_key: string; expires_at: string }>();
    expect(row?.r2_key).toBeTruthy();
    expect(await env.DOCUMENTS.head(row!.r2_key)).not.toBeNull();
    // The stored expiry is moved into the past, as if the 24 h had passed.
    const past = new Date(Date.now() - 1_000).toISOString();
    await env.DB.prepare("UPDATE data_exports SET expires_at = ? WHERE id = ?").bind(past, exportId).run();

    const read = await call("GET", `/api/v1/users/me/exports/${exportId}`, { token: owner.accessToken });
    expect(read.body.data).toMatchObject({ status: "expired", downloadUrl: null });
    const late = await call("GET", `/api/v1/users/me/exports/${exportId}/download`, { token: owner.accessToken });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: "RES002", details: { reason: "export_expired", expiredAt: past } });

    await expireDataExports(env, new Date());
    expect(await env.DOCUMENTS.head(row!.r2_key)).toBeNull();
    const after = await env.DB.prepare("SELECT status, r2_key FROM data_exports WHERE id = ?")
      .bind(exportId)
      .first<{ status: string; r2_key: string | null }>();
    expect(after).toEqual({ status: "expired", r2_key: null });
    // Once expired, a new export can be asked for.
    const fresh = await call("POST", "/api/v1/users/me/exports", { token: owner.accessToken });
    expect(fresh.status).toBe(202);
    await poll(fresh.body.data.id, owner.accessToken);
  }, 60_000);

  it("erasure ends the account's exports: a pending one fails, a ready file goes at the next cron run", async () => {
    const leaving = await createUser({ name: "Eli Erased" });
    const created = await call("POST", "/api/v1/users/me/exports", { token: leaving.accessToken });
    expect(created.status).toBe(202);
    const ready = await poll(created.body.data.id, leaving.accessToken);
    expect(ready.body.data.status).toBe("ready");
    const pendingId = await pendingExport(leaving.user.id, "running");
    const { r2_key: key } = (await env.DB.prepare("SELECT r2_key FROM data_exports WHERE id = ?")
      .bind(created.body.data.id)
      .first<{ r2_key: string }>())!;

    const erased = await call("DELETE", "/api/v1/users/me", {
      token: leaving.accessToken,
      body: { password: leaving.password },
    });
    expect(erased.status).toBe(200);
    const pending = await env.DB.prepare("SELECT status FROM data_exports WHERE id = ?")
      .bind(pendingId)
      .first<{ status: string }>();
    expect(pending?.status).toBe("failed");
    await expireDataExports(env, new Date());
    expect(await env.DOCUMENTS.head(key)).toBeNull();
  }, 60_000);
});

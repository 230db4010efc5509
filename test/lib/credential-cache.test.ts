// The isolate's credential cache (src/lib/credential-cache.ts) with AUTH_CACHE_TTL_MS on, as in production: a
// revocation made through the API applies to the very next request; a change made behind the API's back (another
// isolate, a job, SQL) applies within the TTL.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/users";
import { pipelineApp, send } from "./pipeline-app";

const TTL_MS = 2000;
const cacheOn = { AUTH_CACHE_TTL_MS: String(TTL_MS) };
const app = pipelineApp();
const as = (token: string, method: string, path: string, body?: unknown) =>
  send(app, method, path, {
    headers: { authorization: `Bearer ${token}` },
    env: cacheOn,
    ...(body === undefined ? {} : { body }),
  });

describe("credential cache (AUTH_CACHE_TTL_MS)", () => {
  it("logout through the API kills the access token for the very next request", async () => {
    const u = await createUser();
    expect((await as(u.accessToken, "GET", "/api/v1/auth/me")).status).toBe(200);
    expect((await as(u.accessToken, "GET", "/api/v1/auth/me")).status).toBe(200); // served from the cache
    expect((await as(u.accessToken, "POST", "/api/v1/auth/logout", {})).status).toBe(200);
    const after = await as(u.accessToken, "GET", "/api/v1/auth/me");
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("AUTH002");
  });

  it("an admin's suspension and role change apply to the very next request", async () => {
    const admin = await createUser({ role: "admin" });
    const u = await createUser();
    const v = await createUser();
    expect((await as(u.accessToken, "GET", "/api/v1/auth/me")).status).toBe(200);
    expect((await as(v.accessToken, "GET", "/api/v1/auth/me")).body.data.user.role).toBe("user");
    expect((await as(admin.accessToken, "PATCH", `/api/v1/admin/users/${u.user.id}`, { suspended: true })).status).toBe(
      200,
    );
    expect((await as(u.accessToken, "GET", "/api/v1/auth/me")).status).toBe(401);
    expect((await as(admin.accessToken, "PATCH", `/api/v1/admin/users/${v.user.id}`, { role: "viewer" })).status).toBe(
      200,
    );
    expect((await as(v.accessToken, "GET", "/api/v1/auth/me")).body.data.user.role).toBe("viewer");
  });

  it("a revoked API key stops at the very next request", async () => {
    const u = await createUser();
    const minted = await as(u.accessToken, "POST", "/api/v1/api-keys", { name: "cache", scopes: ["teams:read"] });
    expect(minted.status).toBe(201);
    const key = minted.body.data.secret as string;
    expect((await as(key, "GET", "/api/v1/teams")).status).toBe(200);
    expect((await as(key, "GET", "/api/v1/teams")).status).toBe(200);
    expect((await as(u.accessToken, "DELETE", `/api/v1/api-keys/${minted.body.data.id}`)).status).toBe(200);
    expect((await as(key, "GET", "/api/v1/teams")).status).toBe(401);
  });

  it(`a suspension written behind the API's back applies within the TTL (${TTL_MS} ms)`, async () => {
    const u = await createUser();
    expect((await as(u.accessToken, "GET", "/api/v1/auth/me")).status).toBe(200);
    await env.DB.prepare("UPDATE users SET suspended = 1 WHERE id = ?").bind(u.user.id).run();
    const changedAt = Date.now();
    // Every request that still succeeds must have started within the TTL of the change (the entry was cached
    // before it); the requests themselves may be slow on a loaded machine, so the poll's own length is not the bound.
    let status = 200;
    while (status === 200 && Date.now() - changedAt < TTL_MS + 10_000) {
      const startedAt = Date.now();
      status = (await as(u.accessToken, "GET", "/api/v1/auth/me")).status;
      if (status === 200) {
        expect(startedAt - changedAt).toBeLessThan(TTL_MS);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(status).toBe(401);
  });
});

// The auth middleware and guards on a small app over the real D1: API keys (scopes, expiry, revocation,
// owner's rights), requireRole, requireScope for sessions (viewers never write), principalOf.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRouter } from "../../src/lib/router";
import {
  authenticate,
  principalOf,
  requireAuth,
  requireRole,
  requireScope,
  requireVerifiedEmail,
} from "../../src/lib/auth";
import { onError } from "../../src/lib/error-handler";
import { requestContext } from "../../src/lib/request-context";
import { sha256Hex } from "../../src/lib/crypto";
import { createUser, login, testIp, uniqueEmail } from "../helpers/users";
import { call } from "../helpers/http";

function app() {
  const a = createRouter();
  a.use("*", requestContext);
  a.use("*", authenticate);
  a.get("/open", (c) => c.json({ principal: c.get("principal") ?? null }));
  a.get("/me", requireAuth(), (c) => c.json(principalOf(c)));
  a.get("/admin", requireRole("admin", "super_admin"), (c) => c.json({ ok: true }));
  a.get("/contracts", requireScope("contracts:read"), (c) => c.json({ ok: true }));
  a.post("/contracts", requireScope("contracts:write"), (c) => c.json({ ok: true }));
  a.get("/admin-scope", requireScope("admin:read"), (c) => c.json({ ok: true }));
  a.get("/verified", requireVerifiedEmail(), (c) => c.json({ ok: true }));
  a.onError(onError);
  return a;
}

const get = (path: string, token?: string, method = "GET") =>
  app().request(path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} }, env);

async function apiKey(userId: string, scopes: string[], extra: { expiresAt?: string; revokedAt?: string } = {}) {
  const secret = `esk_${crypto.randomUUID().replace(/-/g, "")}12345678`;
  const id = `key_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await env.DB.prepare(
    "INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes, expires_at, revoked_at, created_at) VALUES (?, ?, 'k', ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      id,
      userId,
      secret.slice(0, 12),
      sha256Hex(secret),
      JSON.stringify(scopes),
      extra.expiresAt ?? null,
      extra.revokedAt ?? null,
      new Date().toISOString(),
    )
    .run();
  return { id, secret };
}

describe("authenticate", () => {
  it("leaves requests without Authorization anonymous", async () => {
    const res = await get("/open");
    expect(await res.json()).toEqual({ principal: null });
    expect((await get("/me")).status).toBe(401);
  });

  it("sets the principal from a session JWT", async () => {
    const u = await createUser();
    const res = await get("/me", u.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ userId: u.user.id, role: "user", scopes: null, apiKeyId: null });
  });

  it("authenticates API keys with their scopes, bounded by the owner's current role; updates lastUsedAt", async () => {
    const u = await createUser();
    const key = await apiKey(u.user.id, ["contracts:read", "admin:read"]);
    const res = await get("/me", key.secret);
    expect(res.status).toBe(200);
    // admin:read is dropped: the owner is not an admin.
    expect(await res.json()).toMatchObject({
      userId: u.user.id,
      sessionId: null,
      apiKeyId: key.id,
      scopes: ["contracts:read"],
    });
    for (let i = 0; i < 20; i++) {
      const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
        .bind(key.id)
        .first<{ last_used_at: string | null }>();
      if (row?.last_used_at) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
      .bind(key.id)
      .first<{ last_used_at: string | null }>();
    expect(row!.last_used_at).not.toBeNull();
  });

  it("refuses unknown, revoked and expired keys, and keys of suspended owners (AUTH002)", async () => {
    const u = await createUser();
    const past = new Date(Date.now() - 1000).toISOString();
    const revoked = await apiKey(u.user.id, ["contracts:read"], { revokedAt: past });
    const expired = await apiKey(u.user.id, ["contracts:read"], { expiresAt: past });
    const good = await apiKey(u.user.id, ["contracts:read"]);
    for (const token of [`esk_${"x".repeat(40)}`, revoked.secret, expired.secret]) {
      const res = await get("/me", token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("AUTH002");
    }
    expect((await get("/me", good.secret)).status).toBe(200);
    await env.DB.prepare("UPDATE users SET suspended = 1 WHERE id = ?").bind(u.user.id).run();
    expect((await get("/me", good.secret)).status).toBe(401);
  });
});

describe("guards", () => {
  it("requireScope: an API key needs the scope", async () => {
    const u = await createUser();
    const reader = await apiKey(u.user.id, ["contracts:read"]);
    expect((await get("/contracts", reader.secret)).status).toBe(200);
    const denied = await get("/contracts", reader.secret, "POST");
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("AUTH003");
  });

  it("requireScope: sessions act within their role; viewers never write, even with a write-scoped key", async () => {
    const user = await createUser();
    expect((await get("/contracts", user.accessToken, "POST")).status).toBe(200);
    expect((await get("/admin-scope", user.accessToken)).status).toBe(403);
    const viewer = await createUser({ role: "viewer" });
    expect((await get("/contracts", viewer.accessToken)).status).toBe(200);
    expect((await get("/contracts", viewer.accessToken, "POST")).status).toBe(403);
    const key = await apiKey(viewer.user.id, ["contracts:write"]);
    expect((await get("/contracts", key.secret, "POST")).status).toBe(403);
  });

  it("requireRole: AUTH003 for other roles, AUTH004 anonymous", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser();
    expect((await get("/admin", admin.accessToken)).status).toBe(200);
    expect((await get("/admin-scope", admin.accessToken)).status).toBe(200);
    expect((await get("/admin", user.accessToken)).status).toBe(403);
    expect((await get("/admin")).status).toBe(401);
  });
});

describe("requireVerifiedEmail", () => {
  it("AUTH006 until the email is verified", async () => {
    const email = uniqueEmail("unverified");
    await call("POST", "/api/v1/auth/register", {
      body: { email, password: "a long enough password", name: "U" },
      headers: { "cf-connecting-ip": testIp() },
    });
    const session = await login(email, "a long enough password");
    expect(session.status).toBe(200);
    const res = await get("/verified", session.body.data.accessToken);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("AUTH006");
    const verified = await createUser();
    expect((await get("/verified", verified.accessToken)).status).toBe(200);
  });
});

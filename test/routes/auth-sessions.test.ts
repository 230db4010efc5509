// Sessions: listing the caller's devices (current flagged) and revoking one, which applies to its next request.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { sha256Hex } from "../../src/lib/crypto";

async function secondLogin(email: string, password: string, ip: string, userAgent: string) {
  const res = await call("POST", "/api/v1/auth/login", {
    body: { email, password },
    headers: { "cf-connecting-ip": ip, "user-agent": userAgent },
  });
  expect(res.status).toBe(200);
  return res.body.data as { accessToken: string; refreshToken: string };
}

describe("GET /auth/sessions", () => {
  it("lists live sessions with user agent, ip, times and which one is current", async () => {
    const u = await createUser();
    const laptop = await secondLogin(u.email, u.password, "198.51.100.7", "Laptop/2.0");
    const res = await call("GET", "/api/v1/auth/sessions", { token: laptop.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    const current = res.body.data.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ userAgent: "Laptop/2.0", ip: "198.51.100.7" });
    expect(current.id).toMatch(/^ses_/);
    expect(Date.parse(current.createdAt)).not.toBeNaN();
    expect(Date.parse(current.lastUsedAt)).not.toBeNaN();
    expect(res.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
  });

  it("AUTH004 anonymous; AUTH003 with an API key", async () => {
    expect((await call("GET", "/api/v1/auth/sessions")).body.error.code).toBe("AUTH004");
    const u = await createUser();
    const secret = `esk_${"k".repeat(40)}`;
    await env.DB.prepare(
      "INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes, created_at) VALUES ('key_sessionstest00000001', ?, 'k', 'esk_kkkkkkkk', ?, '[]', ?)",
    )
      .bind(u.user.id, sha256Hex(secret), new Date().toISOString())
      .run();
    const res = await call("GET", "/api/v1/auth/sessions", { token: secret });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AUTH003");
  });
});

describe("DELETE /auth/sessions/:id", () => {
  it("revokes another of my sessions: its tokens stop working at once; it is audited", async () => {
    const u = await createUser();
    const other = await secondLogin(u.email, u.password, "198.51.100.8", "Tablet/1.0");
    const list = await call("GET", "/api/v1/auth/sessions", { token: u.accessToken });
    const target = list.body.data.find((s: { current: boolean }) => !s.current);
    const res = await call("DELETE", `/api/v1/auth/sessions/${target.id}`, { token: u.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: target.id, revoked: true });
    expect((await call("GET", "/api/v1/auth/me", { token: other.accessToken })).body.error.code).toBe("AUTH002");
    const refreshed = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: other.refreshToken } });
    expect(refreshed.body.error.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).status).toBe(200);
    const after = await call("GET", "/api/v1/auth/sessions", { token: u.accessToken });
    expect(after.body.data.map((s: { id: string }) => s.id)).not.toContain(target.id);
    const audit = await env.DB.prepare(
      "SELECT * FROM audit_logs WHERE action = 'auth.session.revoked' AND resource_id = ?",
    )
      .bind(target.id)
      .first<Record<string, string>>();
    expect(audit!.actor_id).toBe(u.user.id);
  });

  it("answers RES001 for someone else's session, an unknown one, or one already revoked", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const bobs = await call("GET", "/api/v1/auth/sessions", { token: bob.accessToken });
    const res = await call("DELETE", `/api/v1/auth/sessions/${bobs.body.data[0].id}`, { token: alice.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RES001");
    expect((await call("GET", "/api/v1/auth/me", { token: bob.accessToken })).status).toBe(200);
    expect(
      (await call("DELETE", "/api/v1/auth/sessions/ses_unknown", { token: alice.accessToken })).body.error.code,
    ).toBe("RES001");
  });

  it("AUTH004 anonymous", async () => {
    expect((await call("DELETE", "/api/v1/auth/sessions/ses_x")).body.error.code).toBe("AUTH004");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { MAX_ACTIVE_KEYS } from "../../src/services/api-keys/create-api-key";

let owner: TestUser;
let viewer: TestUser;
let admin: TestUser;

beforeAll(async () => {
  [owner, viewer, admin] = await Promise.all([
    createUser(),
    createUser({ role: "viewer" }),
    createUser({ role: "admin" }),
  ]);
});

async function mint(user: TestUser, body: Record<string, unknown>) {
  return call("POST", "/api/v1/api-keys", { token: user.accessToken, body });
}

async function auditActions(resourceId: string) {
  const { results } = await env.DB.prepare(
    "SELECT action FROM audit_logs WHERE resource_id = ? ORDER BY created_at, rowid",
  )
    .bind(resourceId)
    .all<{ action: string }>();
  return results.map((r) => r.action);
}

describe("POST /api-keys", () => {
  it("shows the secret once and stores only its hash and a display prefix", async () => {
    const res = await mint(owner, { name: "CI", scopes: ["contracts:read", "teams:write"] });
    expect(res.status).toBe(201);
    const key = res.body.data;
    expect(key.id).toMatch(/^key_/);
    expect(key.secret).toMatch(/^esk_[0-9A-Za-z]{40,}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 12));
    expect(key).toMatchObject({
      name: "CI",
      scopes: ["contracts:read", "teams:write"],
      status: "active",
      lastUsedAt: null,
    });

    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?")
      .bind(key.id)
      .first<Record<string, string>>();
    expect(JSON.stringify(row)).not.toContain(key.secret);
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(12));
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key.secret)))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    expect(row!.secret_hash).toBe(digest);
    expect(await auditActions(key.id)).toEqual(["api_key.created"]);
  });

  it("authenticates with the secret and records when the key was last used", async () => {
    const { body } = await mint(owner, { name: "reader", scopes: ["teams:read"] });
    const teams = await call("GET", "/api/v1/teams", { token: body.data.secret });
    expect(teams.status).toBe(200);
    await expect
      .poll(
        async () =>
          (await call("GET", "/api/v1/api-keys", { token: owner.accessToken })).body.data.find(
            (k: any) => k.id === body.data.id,
          ).lastUsedAt,
      )
      .not.toBeNull();
  });

  it("refuses unknown scopes, empty names and past expiry dates (VAL001)", async () => {
    for (const bad of [
      { name: "x", scopes: ["contracts:delete"] },
      { name: "", scopes: ["contracts:read"] },
      { name: "x", scopes: [] },
      { name: "x", scopes: ["contracts:read"], expiresAt: "2000-01-01T00:00:00.000Z" },
    ]) {
      const res = await mint(owner, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error?.code).toBe("VAL001");
    }
  });

  it("never lets a key exceed its owner's rights: viewers mint read scopes only, admin scopes need an admin", async () => {
    const write = await mint(viewer, { name: "v", scopes: ["contracts:read", "contracts:write"] });
    expect(write.status).toBe(403);
    expect(write.body.error?.code).toBe("AUTH003");
    expect(write.body.error?.details).toEqual([expect.objectContaining({ scope: "contracts:write" })]);
    expect((await mint(viewer, { name: "v", scopes: ["contracts:read"] })).status).toBe(201);
    expect((await mint(owner, { name: "u", scopes: ["admin:read"] })).body.error?.code).toBe("AUTH003");
    expect((await mint(admin, { name: "a", scopes: ["admin:read"] })).status).toBe(201);
  });

  it("needs a user session: anonymous is AUTH004, an API key is AUTH003", async () => {
    const anonymous = await call("POST", "/api/v1/api-keys", { body: { name: "x", scopes: ["contracts:read"] } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe("AUTH004");
    const { body } = await mint(owner, { name: "k", scopes: ["contracts:read", "contracts:write"] });
    const byKey = await call("POST", "/api/v1/api-keys", {
      token: body.data.secret,
      body: { name: "child", scopes: ["contracts:read"] },
    });
    expect(byKey.status).toBe(403);
    expect(byKey.body.error?.code).toBe("AUTH003");
  });

  it("caps the active keys per user (RES002) and counts revoked ones out", async () => {
    const user = await createUser();
    const minted = [];
    for (let i = 0; i < MAX_ACTIVE_KEYS; i++) minted.push(await mint(user, { name: `k${i}`, scopes: ["teams:read"] }));
    expect(minted.every((m) => m.status === 201)).toBe(true);
    const over = await mint(user, { name: "one too many", scopes: ["teams:read"] });
    expect(over.status).toBe(409);
    expect(over.body.error?.code).toBe("RES002");
    await call("DELETE", `/api/v1/api-keys/${minted[0]!.body.data.id}`, { token: user.accessToken });
    expect((await mint(user, { name: "room again", scopes: ["teams:read"] })).status).toBe(201);
  });

  it("expires keys at their expiresAt", async () => {
    const { body } = await mint(owner, {
      name: "short",
      scopes: ["teams:read"],
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await call("GET", "/api/v1/teams", { token: body.data.secret })).status).toBe(200);
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), body.data.id)
      .run();
    const res = await call("GET", "/api/v1/teams", { token: body.data.secret });
    expect(res.status).toBe(401);
    expect(res.body.error?.code).toBe("AUTH002");
  });
});

describe("API key scopes", () => {
  it("refuses a contracts:read key on a route needing a write scope (AUTH003), and lets a teams:write key act", async () => {
    const reader = await mint(owner, { name: "reader", scopes: ["contracts:read"] });
    const denied = await call("POST", "/api/v1/teams", { token: reader.body.data.secret, body: { name: "Key team" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "AUTH003", message: expect.stringContaining("teams:write") });

    const writer = await mint(owner, { name: "writer", scopes: ["teams:write"] });
    const created = await call("POST", "/api/v1/teams", { token: writer.body.data.secret, body: { name: "Key team" } });
    expect(created.status).toBe(201);
    expect(created.body.data.createdBy).toBe(owner.user.id);
  });

  it("does not let an admin's key act as admin without an admin scope", async () => {
    const plain = await mint(admin, { name: "plain", scopes: ["contracts:read"] });
    const denied = await call("GET", "/api/v1/admin/users", { token: plain.body.data.secret });
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe("AUTH003");
    const scoped = await mint(admin, { name: "admin", scopes: ["admin:read"] });
    expect((await call("GET", "/api/v1/admin/users", { token: scoped.body.data.secret })).status).toBe(200);
  });

  it("drops write scopes from a key whose owner was demoted to viewer", async () => {
    const user = await createUser();
    const key = await mint(user, { name: "w", scopes: ["teams:write", "teams:read"] });
    await env.DB.prepare("UPDATE users SET role = 'viewer' WHERE id = ?").bind(user.user.id).run();
    expect(
      (await call("POST", "/api/v1/teams", { token: key.body.data.secret, body: { name: "t" } })).body.error?.code,
    ).toBe("AUTH003");
    expect((await call("GET", "/api/v1/teams", { token: key.body.data.secret })).status).toBe(200);
  });
});

describe("GET /api-keys", () => {
  it("lists only the caller's keys, paginated, without secrets or hashes", async () => {
    const user = await createUser();
    const a = await mint(user, { name: "a", scopes: ["contracts:read"] });
    await mint(user, { name: "b", scopes: ["contracts:read"] });
    const res = await call("GET", "/api/v1/api-keys?perPage=1", { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toMatchObject({ total: 2, perPage: 1, totalPages: 2 });
    expect(res.body.data).toHaveLength(1);
    const all = await call("GET", "/api/v1/api-keys", { token: user.accessToken });
    expect(all.body.data.map((k: any) => k.name).sort()).toEqual(["a", "b"]);
    const text = JSON.stringify(all.body);
    expect(text).not.toContain(a.body.data.secret);
    expect(text).not.toMatch(/secret|hash/i);
  });

  it("refuses anonymous callers and invalid paging", async () => {
    expect((await call("GET", "/api/v1/api-keys")).body.error?.code).toBe("AUTH004");
    expect((await call("GET", "/api/v1/api-keys?perPage=500", { token: owner.accessToken })).body.error?.code).toBe(
      "VAL001",
    );
  });
});

describe("POST /api-keys/:id/rotate", () => {
  it("issues a new secret and kills the old one at once", async () => {
    const created = await mint(owner, { name: "rot", scopes: ["teams:read"] });
    const old = created.body.data.secret;
    const rotated = await call("POST", `/api/v1/api-keys/${created.body.data.id}/rotate`, { token: owner.accessToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.id).toBe(created.body.data.id);
    expect(rotated.body.data.secret).toMatch(/^esk_/);
    expect(rotated.body.data.secret).not.toBe(old);
    expect((await call("GET", "/api/v1/teams", { token: old })).body.error?.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/teams", { token: rotated.body.data.secret })).status).toBe(200);
    // The rotated key's first use is a security event of its own (issue 16.2: key use is audited, once a minute).
    expect(await auditActions(created.body.data.id)).toEqual(["api_key.created", "api_key.rotated", "api_key.used"]);
  });

  it("answers RES001 for someone else's key and RES002 for a revoked one", async () => {
    const created = await mint(owner, { name: "mine", scopes: ["teams:read"] });
    const other = await call("POST", `/api/v1/api-keys/${created.body.data.id}/rotate`, { token: admin.accessToken });
    expect(other.status).toBe(404);
    expect(other.body.error?.code).toBe("RES001");
    await call("DELETE", `/api/v1/api-keys/${created.body.data.id}`, { token: owner.accessToken });
    const revoked = await call("POST", `/api/v1/api-keys/${created.body.data.id}/rotate`, { token: owner.accessToken });
    expect(revoked.status).toBe(409);
    expect(revoked.body.error?.code).toBe("RES002");
    expect((await call("POST", "/api/v1/api-keys/key_nope/rotate")).body.error?.code).toBe("AUTH004");
  });
});

describe("DELETE /api-keys/:id", () => {
  it("revokes the key (it stops working) and is idempotent", async () => {
    const created = await mint(owner, { name: "gone", scopes: ["teams:read"] });
    const res = await call("DELETE", `/api/v1/api-keys/${created.body.data.id}`, { token: owner.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: created.body.data.id, status: "revoked" });
    expect(res.body.data.revokedAt).toEqual(expect.any(String));
    expect((await call("GET", "/api/v1/teams", { token: created.body.data.secret })).body.error?.code).toBe("AUTH002");
    const again = await call("DELETE", `/api/v1/api-keys/${created.body.data.id}`, { token: owner.accessToken });
    expect(again.status).toBe(200);
    expect(await auditActions(created.body.data.id)).toEqual(["api_key.created", "api_key.revoked"]);
  });

  it("answers RES001 for another user's key and AUTH004 anonymously", async () => {
    const created = await mint(owner, { name: "keep", scopes: ["teams:read"] });
    const res = await call("DELETE", `/api/v1/api-keys/${created.body.data.id}`, { token: viewer.accessToken });
    expect(res.body.error?.code).toBe("RES001");
    expect((await call("GET", "/api/v1/teams", { token: created.body.data.secret })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/api-keys/${created.body.data.id}`)).body.error?.code).toBe("AUTH004");
  });
});

describe("OpenAPI", () => {
  it("documents the API key, admin, user and team routes", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json")).body;
    const expected: [string, string][] = [
      ["/api/v1/api-keys", "post"],
      ["/api/v1/api-keys", "get"],
      ["/api/v1/api-keys/{id}/rotate", "post"],
      ["/api/v1/api-keys/{id}", "delete"],
      ["/api/v1/admin/users", "get"],
      ["/api/v1/admin/users/{id}", "patch"],
      ["/api/v1/users/me", "get"],
      ["/api/v1/users/me", "patch"],
      ["/api/v1/users/me", "delete"],
      ["/api/v1/users/me/avatar", "put"],
      ["/api/v1/users/{id}/avatar", "get"],
      ["/api/v1/users/me/notification-preferences", "put"],
      ["/api/v1/users/me/export", "get"],
      ["/api/v1/teams", "post"],
      ["/api/v1/teams/{id}", "delete"],
      ["/api/v1/teams/{id}/members", "post"],
      ["/api/v1/teams/{id}/members/{userId}", "put"],
      ["/api/v1/teams/invitations/{token}/accept", "post"],
    ];
    for (const [path, method] of expected) expect(doc.paths?.[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.paths["/api/v1/api-keys"].post.requestBody.content["application/json"].schema).toBeDefined();
  });
});

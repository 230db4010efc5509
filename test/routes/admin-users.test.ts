import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, uniqueEmail, type TestUser } from "../helpers/users";

let superAdmin: TestUser;
let admin: TestUser;
let plain: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  [superAdmin, admin, plain, viewer] = await Promise.all([
    createUser({ role: "super_admin" }),
    createUser({ role: "admin" }),
    createUser({ name: "Grace Hopper", email: uniqueEmail("grace") }),
    createUser({ role: "viewer" }),
  ]);
});

const patch = (as: TestUser | null, target: TestUser | string, body: unknown) =>
  call("PATCH", `/api/v1/admin/users/${typeof target === "string" ? target : target.user.id}`, {
    token: as?.accessToken,
    body,
  });

async function auditFor(userId: string) {
  const { results } = await env.DB.prepare(
    "SELECT action, actor_id, data FROM audit_logs WHERE resource_type = 'user' AND resource_id = ? AND action LIKE 'admin.%' ORDER BY created_at, rowid",
  )
    .bind(userId)
    .all<{ action: string; actor_id: string; data: string | null }>();
  return results;
}

describe("GET /admin/users", () => {
  it("lists users with status, paginated, filtered by role, status and q", async () => {
    const all = await call("GET", "/api/v1/admin/users?perPage=2", { token: admin.accessToken });
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(2);
    expect(all.body.pagination.total).toBeGreaterThanOrEqual(4);
    expect(all.body.data[0]).toEqual(expect.objectContaining({ status: "active", suspended: false, deletedAt: null }));
    expect(JSON.stringify(all.body)).not.toMatch(/password|argon2|mfaSecret/i);

    const viewers = await call("GET", "/api/v1/admin/users?role=viewer", { token: admin.accessToken });
    expect(viewers.body.data.map((u: any) => u.id)).toContain(viewer.user.id);
    expect(viewers.body.data.every((u: any) => u.role === "viewer")).toBe(true);

    const byName = await call("GET", "/api/v1/admin/users?q=GRACE%20hop", { token: admin.accessToken });
    expect(byName.body.data.map((u: any) => u.id)).toEqual([plain.user.id]);
    const wildcard = await call("GET", "/api/v1/admin/users?q=%25", { token: admin.accessToken });
    expect(wildcard.body.data).toEqual([]);

    const active = await call("GET", "/api/v1/admin/users?status=active", { token: admin.accessToken });
    expect(active.body.data.every((u: any) => u.status === "active")).toBe(true);
  });

  it("refuses bad filters (VAL001), anonymous (AUTH004), users and viewers (AUTH003)", async () => {
    expect((await call("GET", "/api/v1/admin/users?role=king", { token: admin.accessToken })).body.error?.code).toBe(
      "VAL001",
    );
    expect((await call("GET", "/api/v1/admin/users?status=gone", { token: admin.accessToken })).body.error?.code).toBe(
      "VAL001",
    );
    expect((await call("GET", "/api/v1/admin/users")).body.error?.code).toBe("AUTH004");
    expect((await call("GET", "/api/v1/admin/users", { token: plain.accessToken })).body.error?.code).toBe("AUTH003");
    expect((await call("GET", "/api/v1/admin/users", { token: viewer.accessToken })).body.error?.code).toBe("AUTH003");
  });
});

describe("PATCH /admin/users/:id role", () => {
  it("lets an admin move ordinary users between user and viewer, audited", async () => {
    const target = await createUser();
    const res = await patch(admin, target, { role: "viewer" });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: target.user.id, role: "viewer" });
    // The new role applies to the very next request of the target.
    const write = await call("POST", "/api/v1/teams", { token: target.accessToken, body: { name: "t" } });
    expect(write.body.error?.code).toBe("AUTH003");
    const audit = await auditFor(target.user.id);
    expect(audit).toEqual([expect.objectContaining({ action: "admin.user.role_changed", actor_id: admin.user.id })]);
    expect(JSON.parse(audit[0]!.data!)).toEqual({ from: "user", to: "viewer" });
  });

  it("keeps granting admin rights to super_admins", async () => {
    const target = await createUser();
    const denied = await patch(admin, target, { role: "admin" });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "AUTH003", details: { reason: "needs_super_admin" } });
    expect((await patch(admin, superAdmin, { suspended: true })).body.error?.code).toBe("AUTH003");
    const granted = await patch(superAdmin, target, { role: "admin" });
    expect(granted.status).toBe(200);
    expect(granted.body.data.role).toBe("admin");
    expect((await call("GET", "/api/v1/admin/users", { token: target.accessToken })).status).toBe(200);
  });

  it("lets nobody demote or suspend themselves", async () => {
    expect((await patch(superAdmin, superAdmin, { role: "user" })).body.error).toMatchObject({
      code: "AUTH003",
      details: { reason: "self" },
    });
    expect((await patch(admin, admin, { suspended: true })).body.error?.code).toBe("AUTH003");
  });

  it("refuses invalid bodies, unknown users, and non-admins", async () => {
    expect((await patch(admin, plain, {})).body.error?.code).toBe("VAL001");
    expect((await patch(admin, plain, { role: "emperor" })).body.error?.code).toBe("VAL001");
    expect((await patch(admin, plain, { suspended: "yes" })).body.error?.code).toBe("VAL001");
    expect((await patch(admin, "usr_nobody00000000000000", { role: "user" })).body.error?.code).toBe("RES001");
    expect((await patch(null, plain, { role: "viewer" })).body.error?.code).toBe("AUTH004");
    expect((await patch(plain, viewer, { role: "user" })).body.error?.code).toBe("AUTH003");
    expect((await patch(viewer, plain, { role: "viewer" })).body.error?.code).toBe("AUTH003");
  });
});

describe("PATCH /admin/users/:id suspension", () => {
  it("revokes every session at once, stops API keys, and lifting it lets keys work again", async () => {
    const target = await createUser();
    const key = await call("POST", "/api/v1/api-keys", {
      token: target.accessToken,
      body: { name: "k", scopes: ["teams:read"] },
    });
    expect((await call("GET", "/api/v1/teams", { token: key.body.data.secret })).status).toBe(200);

    const res = await patch(admin, target, { suspended: true });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ suspended: true, status: "suspended", suspendedAt: expect.any(String) });

    expect((await call("GET", "/api/v1/auth/me", { token: target.accessToken })).body.error?.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/teams", { token: key.body.data.secret })).body.error?.code).toBe("AUTH002");
    const live = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL")
      .bind(target.user.id)
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
    const refresh = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: target.refreshToken } });
    expect(refresh.status).toBe(401);

    const suspended = await call("GET", "/api/v1/admin/users?status=suspended", { token: admin.accessToken });
    expect(suspended.body.data.map((u: any) => u.id)).toContain(target.user.id);

    const lifted = await patch(admin, target, { suspended: false });
    expect(lifted.body.data).toMatchObject({ suspended: false, status: "active", suspendedAt: null });
    expect((await call("GET", "/api/v1/teams", { token: key.body.data.secret })).status).toBe(200);
    expect((await auditFor(target.user.id)).map((a) => a.action)).toEqual([
      "admin.user.suspended",
      "admin.user.unsuspended",
    ]);
  });

  it("needs admin:write on an admin's API key", async () => {
    const reader = await call("POST", "/api/v1/api-keys", {
      token: admin.accessToken,
      body: { name: "r", scopes: ["admin:read"] },
    });
    expect(
      (
        await call("PATCH", `/api/v1/admin/users/${plain.user.id}`, {
          token: reader.body.data.secret,
          body: { role: "viewer" },
        })
      ).body.error?.code,
    ).toBe("AUTH003");
    const writer = await call("POST", "/api/v1/api-keys", {
      token: admin.accessToken,
      body: { name: "w", scopes: ["admin:write"] },
    });
    const target = await createUser();
    expect(
      (
        await call("PATCH", `/api/v1/admin/users/${target.user.id}`, {
          token: writer.body.data.secret,
          body: { role: "viewer" },
        })
      ).status,
    ).toBe(200);
  });
});

describe("erased accounts", () => {
  it("show as deleted and cannot be changed (RES002)", async () => {
    const gone = await createUser();
    expect(
      (await call("DELETE", "/api/v1/users/me", { token: gone.accessToken, body: { password: gone.password } })).status,
    ).toBe(200);
    // Other files erase accounts too: an erased account's email is `erased+<id>@erased.invalid`, so q finds this one.
    const deleted = await call("GET", `/api/v1/admin/users?status=deleted&q=${gone.user.id}`, {
      token: admin.accessToken,
    });
    expect(deleted.body.data).toEqual([
      expect.objectContaining({ id: gone.user.id, status: "deleted", name: "Erased user" }),
    ]);
    // The filter itself, over other files' accounts too: every row it lists is deleted.
    const allDeleted = await call("GET", "/api/v1/admin/users?status=deleted&perPage=100", {
      token: admin.accessToken,
    });
    expect(allDeleted.body.data.every((u: { status: string }) => u.status === "deleted")).toBe(true);
    const res = await patch(admin, gone.user.id, { suspended: true });
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe("RES002");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { createUser, login, type TestUser } from "../helpers/users";
import { channelEnabled } from "../../src/db/notification-preferences";
import { db } from "../../src/db/client";

let user: TestUser;
let other: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  [user, other, viewer] = await Promise.all([
    createUser({ name: "Ada Lovelace" }),
    createUser(),
    createUser({ role: "viewer" }),
  ]);
});

const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (size = 64) => {
  const bytes = new Uint8Array(size);
  bytes.set(PNG_HEAD);
  return bytes;
};

function upload(token: string | undefined, bytes: Uint8Array, declaredType = "image/png", field = "file") {
  const form = new FormData();
  form.append(field, new File([bytes], "avatar.png", { type: declaredType }));
  return fetchWorker("/api/v1/users/me/avatar", {
    method: "PUT",
    body: form,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe("GET/PATCH /users/me", () => {
  it("reads and updates the caller's profile", async () => {
    const me = await call("GET", "/api/v1/users/me", { token: user.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.data.user).toMatchObject({
      id: user.user.id,
      name: "Ada Lovelace",
      email: user.email,
      avatarUrl: null,
    });

    const res = await call("PATCH", "/api/v1/users/me", {
      token: user.accessToken,
      body: { name: "Ada King", company: "Analytical Engines", industry: "computing", accountType: "business" },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({
      name: "Ada King",
      company: "Analytical Engines",
      industry: "computing",
      accountType: "business",
    });
    expect((await call("GET", "/api/v1/auth/me", { token: user.accessToken })).body.data.user.name).toBe("Ada King");

    // A business account keeps a company, as at registration.
    const noCompany = await call("PATCH", "/api/v1/users/me", { token: user.accessToken, body: { company: null } });
    expect(noCompany.body.error).toMatchObject({ code: "VAL001", details: [{ path: "company" }] });
  });

  it("refuses invalid and unknown fields (VAL001), anonymous callers and viewers", async () => {
    for (const body of [
      {},
      { name: "" },
      { accountType: "corporation" },
      { email: "new@example.com" },
      { role: "admin" },
    ]) {
      const res = await call("PATCH", "/api/v1/users/me", { token: user.accessToken, body });
      expect(res.body.error?.code, JSON.stringify(body)).toBe("VAL001");
    }
    expect((await call("GET", "/api/v1/users/me")).body.error?.code).toBe("AUTH004");
    expect((await call("PATCH", "/api/v1/users/me", { body: { name: "x" } })).body.error?.code).toBe("AUTH004");
    expect(
      (await call("PATCH", "/api/v1/users/me", { token: viewer.accessToken, body: { name: "x" } })).body.error?.code,
    ).toBe("AUTH003");
    expect((await call("GET", "/api/v1/users/me", { token: viewer.accessToken })).status).toBe(200);
  });
});

describe("PUT /users/me/avatar", () => {
  it("stores a PNG in R2 by its content, and serves it at user.avatarUrl", async () => {
    const bytes = png(128);
    // The declared type is ignored: the bytes say PNG.
    const res = await upload(user.accessToken, bytes, "application/octet-stream");
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.data.user.avatarUrl).toBe(`/api/v1/users/${user.user.id}/avatar`);
    const object = await env.DOCUMENTS.get(`avatars/${user.user.id}`);
    expect(object?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);

    const download = await fetchWorker(body.data.user.avatarUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });

  it("accepts JPEG and WebP too", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]);
    expect((await upload(other.accessToken, jpeg, "image/png")).status).toBe(200);
    expect((await fetchWorker(`/api/v1/users/${other.user.id}/avatar`)).headers.get("content-type")).toBe("image/jpeg");
    const webp = new TextEncoder().encode("RIFF\x10\x00\x00\x00WEBPVP8 ");
    expect((await upload(other.accessToken, webp, "image/webp")).status).toBe(200);
    expect((await fetchWorker(`/api/v1/users/${other.user.id}/avatar`)).headers.get("content-type")).toBe("image/webp");
  });

  it("refuses files over 2 MB (VAL003), non-images whatever their declared type (VAL004), and a missing file (VAL001)", async () => {
    const big = png(2 * 1024 * 1024 + 1);
    const tooBig = await upload(user.accessToken, big);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as any).error.code).toBe("VAL003");

    const fake = await upload(user.accessToken, new TextEncoder().encode("<svg onload=alert(1)>"), "image/png");
    expect(fake.status).toBe(415);
    expect(((await fake.json()) as any).error.code).toBe("VAL004");
    const gif = await upload(user.accessToken, new TextEncoder().encode("GIF89a........"), "image/gif");
    expect(((await gif.json()) as any).error.code).toBe("VAL004");

    const missing = await upload(user.accessToken, png(), "image/png", "picture");
    expect(((await missing.json()) as any).error.code).toBe("VAL001");

    const json = await call("PUT", "/api/v1/users/me/avatar", { token: user.accessToken, body: { file: "x" } });
    expect(json.body.error?.code).toBe("VAL004");
    // The stored avatar is still the PNG of the first test.
    expect((await env.DOCUMENTS.get(`avatars/${user.user.id}`))?.httpMetadata?.contentType).toBe("image/png");
  });

  it("refuses anonymous callers (AUTH004) and viewers (AUTH003); unknown avatars are RES001", async () => {
    expect(((await (await upload(undefined, png())).json()) as any).error.code).toBe("AUTH004");
    expect(((await (await upload(viewer.accessToken, png())).json()) as any).error.code).toBe("AUTH003");
    const none = await call("GET", `/api/v1/users/${viewer.user.id}/avatar`);
    expect(none.status).toBe(404);
    expect(none.body.error?.code).toBe("RES001");
  });
});

/** Test setup: a verified phone, as POST /auth/verify-phone leaves it. */
const verifiedPhone = (userId: string) =>
  env.DB.prepare("UPDATE users SET phone = '+2348031234567', phone_verified_at = ? WHERE id = ?")
    .bind(new Date().toISOString(), userId)
    .run();

describe("notification preferences", () => {
  it("returns every event type with defaults, and stores changes per type and channel", async () => {
    const initial = await call("GET", "/api/v1/users/me/notification-preferences", { token: other.accessToken });
    expect(initial.status).toBe(200);
    expect(initial.body.data.preferences["contract.sent"]).toEqual({ in_app: true, email: true, sms: false });
    expect(initial.body.data.preferences["contract.updated"]).toEqual({ in_app: true, email: false, sms: false });

    // SMS can be turned on only with a verified phone (issue 17.3; the SMS flow itself is in phone.test.ts).
    await verifiedPhone(other.user.id);
    const res = await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: other.accessToken,
      body: { preferences: { "contract.sent": { email: false }, "escrow.funded": { sms: true, in_app: false } } },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.preferences["contract.sent"]).toEqual({ in_app: true, email: false, sms: false });
    expect(res.body.data.preferences["escrow.funded"]).toEqual({ in_app: false, email: true, sms: true });
    const again = await call("GET", "/api/v1/users/me/notification-preferences", { token: other.accessToken });
    expect(again.body.data).toEqual(res.body.data);
    // What the notifications consumer asks before sending.
    expect(await channelEnabled(db(env.DB), other.user.id, "contract.sent", "email")).toBe(false);
    expect(await channelEnabled(db(env.DB), other.user.id, "contract.sent", "in_app")).toBe(true);
    expect(await channelEnabled(db(env.DB), user.user.id, "contract.sent", "email")).toBe(true);
    // Another user keeps the defaults.
    const mine = await call("GET", "/api/v1/users/me/notification-preferences", { token: user.accessToken });
    expect(mine.body.data.preferences["contract.sent"].email).toBe(true);
  });

  it("refuses unknown event types and channels (VAL001), anonymous callers and viewers", async () => {
    const unknown = await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: other.accessToken,
      body: { preferences: { "contract.exploded": { email: true } } },
    });
    expect(unknown.body.error).toMatchObject({ code: "VAL001", details: [{ path: "preferences.contract.exploded" }] });
    const channel = await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: other.accessToken,
      body: { preferences: { "contract.sent": { pigeon: true } } },
    });
    expect(channel.body.error?.code).toBe("VAL001");
    expect(
      (
        await call("PUT", "/api/v1/users/me/notification-preferences", {
          token: other.accessToken,
          body: { preferences: { "contract.sent": { email: "no" } } },
        })
      ).body.error?.code,
    ).toBe("VAL001");
    expect((await call("GET", "/api/v1/users/me/notification-preferences")).body.error?.code).toBe("AUTH004");
    expect(
      (
        await call("PUT", "/api/v1/users/me/notification-preferences", {
          token: viewer.accessToken,
          body: { preferences: {} },
        })
      ).body.error?.code,
    ).toBe("AUTH003");
  });
});

describe("GET /users/me/export", () => {
  it("returns the caller's data: profile, sessions, keys (no secrets), teams, audit, preferences", async () => {
    const key = await call("POST", "/api/v1/api-keys", {
      token: other.accessToken,
      body: { name: "export-key", scopes: ["contracts:read"] },
    });
    const team = await call("POST", "/api/v1/teams", { token: other.accessToken, body: { name: "Export team" } });
    const res = await call("GET", "/api/v1/users/me/export", { token: other.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const data = res.body.data;
    expect(data.profile).toMatchObject({ id: other.user.id, email: other.email });
    expect(data.sessions.length).toBeGreaterThanOrEqual(1);
    expect(data.apiKeys).toEqual([expect.objectContaining({ id: key.body.data.id, name: "export-key" })]);
    expect(data.teams).toEqual([expect.objectContaining({ id: team.body.data.id, role: "owner" })]);
    expect(data.auditEntries.map((a: any) => a.action)).toEqual(
      expect.arrayContaining(["auth.registered", "api_key.created", "team.created"]),
    );
    expect(data.notificationPreferences["contract.sent"]).toEqual({ in_app: true, email: false, sms: false });
    expect(data.emails.length).toBeGreaterThanOrEqual(1);
    for (const section of [
      "contracts",
      "contractParticipations",
      "contractShares",
      "savedSearches",
      "teamInvitations",
    ]) {
      expect(Array.isArray(data[section]), section).toBe(true);
    }
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(key.body.data.secret);
    expect(text).not.toMatch(/argon2|password_?hash|secret_?hash|token_?hash/i);
    // Nothing of another user.
    expect(text).not.toContain(user.email);
  });

  it("needs a user session: anonymous AUTH004, API key AUTH003", async () => {
    expect((await call("GET", "/api/v1/users/me/export")).body.error?.code).toBe("AUTH004");
    const key = await call("POST", "/api/v1/api-keys", {
      token: other.accessToken,
      body: { name: "k", scopes: ["profile:read"] },
    });
    expect((await call("GET", "/api/v1/users/me/export", { token: key.body.data.secret })).body.error?.code).toBe(
      "AUTH003",
    );
  });
});

describe("DELETE /users/me", () => {
  it("refuses a wrong password (AUTH001), a missing one (VAL001) and anonymous callers", async () => {
    const wrong = await call("DELETE", "/api/v1/users/me", {
      token: user.accessToken,
      body: { password: "not the password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe("AUTH001");
    expect((await call("DELETE", "/api/v1/users/me", { token: user.accessToken, body: {} })).body.error?.code).toBe(
      "VAL001",
    );
    expect((await call("DELETE", "/api/v1/users/me", { body: { password: user.password } })).body.error?.code).toBe(
      "AUTH004",
    );
    expect((await call("GET", "/api/v1/users/me", { token: user.accessToken })).status).toBe(200);
  });

  it("erases personal data, revokes everything, keeps shared records pseudonymous, and frees the email", async () => {
    const victim = await createUser({ name: "Erase Me" });
    const id = victim.user.id;
    // Things that reference the user: a key, an avatar, a team shared with someone else, a solo team, preferences.
    const key = await call("POST", "/api/v1/api-keys", {
      token: victim.accessToken,
      body: { name: "k", scopes: ["teams:read"] },
    });
    expect((await upload(victim.accessToken, png())).status).toBe(200);
    const shared = await call("POST", "/api/v1/teams", { token: victim.accessToken, body: { name: "Shared" } });
    const solo = await call("POST", "/api/v1/teams", { token: victim.accessToken, body: { name: "Solo" } });
    const colleague = await createUser();
    await env.DB.prepare(
      "INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'member', ?, ?)",
    )
      .bind(shared.body.data.id, colleague.user.id, new Date().toISOString(), new Date().toISOString())
      .run();
    await verifiedPhone(id);
    const smsOn = await call("PUT", "/api/v1/users/me/notification-preferences", {
      token: victim.accessToken,
      body: { preferences: { "contract.sent": { sms: true } } },
    });
    expect(smsOn.status).toBe(200);

    // Someone else's audit entry that mentions the victim's address (an invitation to it).
    const inviter = await createUser();
    const inviterTeam = await call("POST", "/api/v1/teams", { token: inviter.accessToken, body: { name: "Inviter" } });
    await call("POST", `/api/v1/teams/${inviterTeam.body.data.id}/members`, {
      token: inviter.accessToken,
      body: { email: victim.email },
    });

    const res = await call("DELETE", "/api/v1/users/me", {
      token: victim.accessToken,
      body: { password: victim.password },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id, deleted: true });

    // D1: the row stays with its id, but holds no personal data or secrets.
    const row = await env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, any>>();
    expect(row).toMatchObject({
      name: "Erased user",
      company: null,
      industry: null,
      mfa_enabled: 0,
      mfa_secret_sealed: null,
      avatar_key: null,
    });
    expect(row).toMatchObject({ phone: null, phone_verified_at: null });
    expect(row!.email).not.toBe(victim.email);
    expect(row!.email).toMatch(/@erased\.invalid$/);
    expect(row!.password_hash).not.toMatch(/argon2/);
    expect(row!.deleted_at).toEqual(expect.any(String));
    const sessions = await env.DB.prepare("SELECT revoked_at, ip, user_agent FROM sessions WHERE user_id = ?")
      .bind(id)
      .all<any>();
    expect(sessions.results.length).toBeGreaterThan(0);
    expect(sessions.results.every((s) => s.revoked_at && s.ip === null && s.user_agent === null)).toBe(true);
    const keys = await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE user_id = ?").bind(id).all<any>();
    expect(keys.results.every((k) => k.revoked_at)).toBe(true);
    const prefs = await env.DB.prepare("SELECT count(*) AS n FROM notification_preferences WHERE user_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(prefs?.n).toBe(0);
    const anywhere = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ? OR name = ?")
      .bind(victim.email, "Erase Me")
      .first<{ n: number }>();
    expect(anywhere?.n).toBe(0);
    const mailbox = await env.DB.prepare('SELECT count(*) AS n FROM email_deliveries WHERE "to" = ?')
      .bind(victim.email)
      .first<{ n: number }>();
    expect(mailbox?.n).toBe(0);

    const mentions = await env.DB.prepare("SELECT count(*) AS n FROM audit_logs WHERE instr(data, ?) > 0")
      .bind(victim.email)
      .first<{ n: number }>();
    expect(mentions?.n).toBe(0);
    const invitations = await env.DB.prepare("SELECT count(*) AS n FROM team_invitations WHERE email = ?")
      .bind(victim.email)
      .first<{ n: number }>();
    expect(invitations?.n).toBe(0);

    // R2: the avatar is gone.
    expect(await env.DOCUMENTS.get(`avatars/${id}`)).toBeNull();
    expect((await call("GET", `/api/v1/users/${id}/avatar`)).status).toBe(404);

    // Teams: the shared one passes to the colleague, the solo one is gone.
    const sharedNow = await call("GET", `/api/v1/teams/${shared.body.data.id}`, { token: colleague.accessToken });
    expect(sharedNow.body.data.role).toBe("owner");
    expect(
      (
        await env.DB.prepare("SELECT count(*) AS n FROM teams WHERE id = ?")
          .bind(solo.body.data.id)
          .first<{ n: number }>()
      )?.n,
    ).toBe(0);

    // Every credential is dead.
    expect((await call("GET", "/api/v1/users/me", { token: victim.accessToken })).body.error?.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/teams", { token: key.body.data.secret })).body.error?.code).toBe("AUTH002");
    expect((await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: victim.refreshToken } })).status).toBe(
      401,
    );
    expect((await login(victim.email, victim.password)).status).toBe(401);

    // The audit trail keeps the erasure under the pseudonymous id.
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE action = 'user.erased' AND actor_id = ?",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);

    // The address can register again, as a new account.
    const again = await createUser({ email: victim.email });
    expect(again.user.id).not.toBe(id);
  });
});

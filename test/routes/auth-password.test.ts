// Password reset (202 always, single-use hashed token, 30 minutes, revokes every session) and change
// (verifies the current password, revokes the other sessions).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { listEmails, waitForEmail } from "../helpers/mailbox";
import { createUser, login, testIp, uniqueEmail, verificationCode } from "../helpers/users";
import { base32Decode, totp } from "../../src/domain/totp";

const requestReset = (email: string) =>
  call("POST", "/api/v1/auth/password/reset", { body: { email }, headers: { "cf-connecting-ip": testIp() } });
const confirm = (token: string, newPassword: string) =>
  call("POST", "/api/v1/auth/password/reset/confirm", {
    body: { token, newPassword },
    headers: { "cf-connecting-ip": testIp() },
  });

async function resetToken(email: string): Promise<string> {
  const mail = await waitForEmail({ to: email, subject: "Reset your Escra password" });
  const token = /\b(prt_[0-9A-Za-z]{43})\b/.exec(mail.text)?.[1];
  if (!token) throw new Error("no token in the reset email");
  return token;
}

describe("POST /auth/password/reset", () => {
  it("answers 202 and emails a single-use token stored only as a hash", async () => {
    const u = await createUser();
    const res = await requestReset(u.email.toUpperCase());
    expect(res.status).toBe(202);
    const token = await resetToken(u.email);
    const rows = await env.DB.prepare("SELECT * FROM password_resets WHERE user_id = ?").bind(u.user.id).all();
    expect(rows.results).toHaveLength(1);
    expect(JSON.stringify(rows.results)).not.toContain(token);
  });

  it("answers 202 for an unknown email too, and sends nothing", async () => {
    const email = uniqueEmail("nobody");
    const res = await requestReset(email);
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({ accepted: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listEmails(email)).toHaveLength(0);
  });

  it("rejects an invalid email with VAL001", async () => {
    expect((await requestReset("nope")).body.error.code).toBe("VAL001");
  });
});

describe("POST /auth/password/reset/confirm", () => {
  it("sets the new password, revokes every session, and the token works once", async () => {
    const u = await createUser();
    await requestReset(u.email);
    const token = await resetToken(u.email);

    // Invalid input does not burn the token.
    const short = await confirm(token, "short");
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].path).toBe("newPassword");

    const res = await confirm(token, "a brand new password");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ passwordChanged: true, sessionsRevoked: 1 });
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).body.error.code).toBe("AUTH002");
    expect((await login(u.email, u.password)).body.error.code).toBe("AUTH001");
    expect((await login(u.email, "a brand new password")).status).toBe(200);

    const again = await confirm(token, "another new password");
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("AUTH001");
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'auth.password.reset'",
    )
      .bind(u.user.id)
      .first<{ n: number }>();
    expect(audit!.n).toBe(1);
  });

  it("refuses an expired or unknown token (AUTH001)", async () => {
    const u = await createUser();
    await requestReset(u.email);
    const token = await resetToken(u.email);
    await env.DB.prepare("UPDATE password_resets SET expires_at = ? WHERE user_id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), u.user.id)
      .run();
    expect((await confirm(token, "a brand new password")).body.error.code).toBe("AUTH001");
    expect((await confirm("prt_nope", "a brand new password")).body.error.code).toBe("AUTH001");
  });
});

describe("POST /auth/password/change", () => {
  it("changes the password and revokes the other sessions, keeping the caller's", async () => {
    const u = await createUser();
    const other = await login(u.email, u.password);
    const res = await call("POST", "/api/v1/auth/password/change", {
      token: u.accessToken,
      body: { currentPassword: u.password, newPassword: "the next password" },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ passwordChanged: true, sessionsRevoked: 1 });
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { token: other.body.data.accessToken })).body.error.code).toBe(
      "AUTH002",
    );
    expect((await login(u.email, "the next password")).status).toBe(200);
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(u.user.id)
      .first<{ password_hash: string }>();
    expect(row!.password_hash).not.toContain("the next password");
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'auth.password.changed'",
    )
      .bind(u.user.id)
      .first<{ n: number }>();
    expect(audit!.n).toBe(1);
  });

  it("refuses a wrong current password (AUTH001) and a short or unchanged new one (VAL001)", async () => {
    const u = await createUser();
    const wrong = await call("POST", "/api/v1/auth/password/change", {
      token: u.accessToken,
      body: { currentPassword: "not it at all", newPassword: "the next password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("AUTH001");
    const short = await call("POST", "/api/v1/auth/password/change", {
      token: u.accessToken,
      body: { currentPassword: u.password, newPassword: "short" },
    });
    expect(short.body.error.code).toBe("VAL001");
    const same = await call("POST", "/api/v1/auth/password/change", {
      token: u.accessToken,
      body: { currentPassword: u.password, newPassword: u.password },
    });
    expect(same.body.error.code).toBe("VAL001");
    expect((await login(u.email, u.password)).status).toBe(200);
  });

  it("AUTH004 anonymous", async () => {
    const res = await call("POST", "/api/v1/auth/password/change", {
      body: { currentPassword: "x", newPassword: "the next password" },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTH004");
  });
});

describe("a password reset of an unverified account (attack pass: account pre-hijacking)", () => {
  it("the mailbox owner who resets gets the account without what a squatter set up: keys, MFA, webhooks", async () => {
    // A squatter registers the victim's address, never verifies, and prepares a way back in.
    const email = uniqueEmail("prehijack");
    const { session, keySecret } = await squatterPrepares(email, "squatter password 1");
    const enabled = await call("POST", "/api/v1/auth/mfa/enable", { token: session });
    const code = totp(base32Decode(enabled.body.data.secret), Date.now());
    expect((await call("POST", "/api/v1/auth/mfa/verify", { token: session, body: { code } })).status).toBe(200);

    // The owner of the mailbox uses "forgot password".
    await requestReset(email);
    const token = await resetToken(email);
    expect((await confirm(token, "the owner's own password")).status).toBe(200);

    // They get in with their password alone (no squatter's MFA) and own a clean account.
    const owner = await login(email, "the owner's own password");
    expect(owner.status).toBe(200);
    expect(owner.body.data.user).toMatchObject({ emailVerified: true, mfaEnabled: false });
    const ownerToken = owner.body.data.accessToken as string;
    // The squatter's key no longer opens it, and its webhook endpoint no longer receives its events.
    const byKey = await call("GET", "/api/v1/auth/me", { token: keySecret });
    expect(byKey.status).toBe(401);
    const hooks = await call("GET", "/api/v1/webhook-endpoints", { token: ownerToken });
    expect(hooks.body.data).toEqual([]);
    const keys = await call("GET", "/api/v1/api-keys", { token: ownerToken });
    expect(keys.body.data.filter((k: { revokedAt: string | null }) => !k.revokedAt)).toEqual([]);
  });
});

/**
 * A squatter registers `email` (never verifying it), signs in, and sets up what would outlive the owner's claim: an
 * API key, a webhook endpoint, a workflow making the squatter approver of every contract, a team with an open
 * invitation. Returns the squatter's session too.
 */
async function squatterPrepares(email: string, password: string) {
  const reg = await call("POST", "/api/v1/auth/register", {
    body: { email, password, name: "Victim Name" },
    headers: { "cf-connecting-ip": testIp() },
  });
  expect(reg.status).toBe(201);
  const loggedIn = await login(email, password);
  expect(loggedIn.status).toBe(200);
  const session = loggedIn.body.data.accessToken as string;
  const key = await call("POST", "/api/v1/api-keys", {
    token: session,
    body: { name: "backdoor", scopes: ["contracts:read", "profile:read"] },
  });
  expect(key.status).toBe(201);
  const hook = await call("POST", "/api/v1/webhook-endpoints", {
    token: session,
    body: { url: "https://example.com/squatter-hooks-2", events: ["*"] },
  });
  expect(hook.status).toBe(201);
  const rule = await call("POST", "/api/v1/workflows", {
    token: session,
    body: { name: "Every contract", when: {}, approvers: [{ email: uniqueEmail("squatter-approver"), order: 1 }] },
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  const team = await call("POST", "/api/v1/teams", { token: session, body: { name: "Victim's team" } });
  expect(team.status).toBe(201);
  const invited = await call("POST", `/api/v1/teams/${team.body.data.id}/members`, {
    token: session,
    body: { email: uniqueEmail("squatter-friend"), role: "admin" },
  });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  return { session, keySecret: key.body.data.secret as string, teamId: team.body.data.id as string };
}

/** What the squatter prepared is gone from the account `token` opens. */
async function expectNothingLeft(token: string, prepared: { keySecret: string; teamId: string }) {
  expect((await call("GET", "/api/v1/auth/me", { token: prepared.keySecret })).status).toBe(401);
  expect((await call("GET", "/api/v1/webhook-endpoints", { token })).body.data).toEqual([]);
  const workflows = await call("GET", "/api/v1/workflows", { token });
  expect(workflows.status).toBe(200);
  expect(workflows.body.data).toEqual([]);
  const invitations = await call("GET", `/api/v1/teams/${prepared.teamId}/invitations`, { token });
  expect(invitations.status).toBe(200);
  expect(invitations.body.data).toEqual([]);
}

describe("claiming an unverified account also clears approval rules and open team invitations", () => {
  it("by a password reset: the squatter's workflow and invitation are gone", async () => {
    const email = uniqueEmail("prehijack-rules");
    const prepared = await squatterPrepares(email, "squatter password 2");
    await requestReset(email);
    expect((await confirm(await resetToken(email), "the owner's own password")).status).toBe(200);
    const owner = await login(email, "the owner's own password");
    expect(owner.status).toBe(200);
    await expectNothingLeft(owner.body.data.accessToken, prepared);
  });

  it("by the emailed verification code: the same claim runs, and a later reset still finds nothing", async () => {
    const email = uniqueEmail("prehijack-verify");
    const prepared = await squatterPrepares(email, "squatter password 3");
    const verified = await call("POST", "/api/v1/auth/verify-email", {
      body: { email, code: await verificationCode(email) },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.data.user).toMatchObject({ emailVerified: true });
    await requestReset(email);
    expect((await confirm(await resetToken(email), "the owner's own password")).status).toBe(200);
    const owner = await login(email, "the owner's own password");
    expect(owner.status).toBe(200);
    await expectNothingLeft(owner.body.data.accessToken, prepared);
  });
});

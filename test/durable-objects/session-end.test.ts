// Issue 20 kind 5 and issue 11 kind 4 on the live side: when a session ends it ends everywhere. Logout, session
// revocation, password reset/change close that session's sockets in the feed and in every room (4001) within
// seconds; suspension and erasure close all the user's sockets (4003). Other sessions' sockets stay open.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { LiveClient } from "./live-client";

/** Well under the 5-minute periodic re-check: a close within this is the push, not the poll. */
const SECONDS = 5_000;

async function closedWithin(client: LiveClient, ms = SECONDS): Promise<number | "open"> {
  const timeout = new Promise<"open">((resolve) => setTimeout(() => resolve("open"), ms));
  const result = await Promise.race([client.closed, timeout]);
  return result === "open" ? "open" : result.code;
}

async function stillAnswers(client: LiveClient) {
  client.send({ type: "ping", timestamp: 1 });
  expect((await client.until("pong")).at(-1)).toEqual({ type: "pong", timestamp: 1 });
}

async function newContract(owner: TestUser): Promise<string> {
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.accessToken,
    body: { title: "Supply agreement", type: "supply", body: "Terms." },
  });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

/** The user's feed and a contract room, both authenticated with `token`. */
async function socketsOf(user: TestUser, token: string, contractId: string) {
  const feed = await LiveClient.authed(`/api/v1/live?userId=${user.user.id}`, token);
  const room = await LiveClient.authed(`/api/v1/contracts/${contractId}/live`, token);
  return { feed, room };
}

async function secondSession(user: TestUser) {
  const res = await call("POST", "/api/v1/auth/login", {
    body: { email: user.email, password: user.password },
    headers: { "cf-connecting-ip": "10.9.9.9" },
  });
  expect(res.status).toBe(200);
  return res.body.data as { accessToken: string; refreshToken: string };
}

async function sessionIdOf(token: string): Promise<string> {
  const res = await call("GET", "/api/v1/auth/sessions", { token });
  return (res.body.data as { id: string; current: boolean }[]).find((s) => s.current)!.id;
}

describe("a session that ends closes its live sockets everywhere (issue 20.5)", () => {
  it("after logout the session's sockets in the feed and in a contract room close 4001 within seconds", async () => {
    const user = await createUser();
    const other = await secondSession(user);
    const contractId = await newContract(user);
    const ended = await socketsOf(user, user.accessToken, contractId);
    const kept = await socketsOf(user, other.accessToken, contractId);

    const out = await call("POST", "/api/v1/auth/logout", { token: user.accessToken, body: {} });
    expect(out.status).toBe(200);

    expect(await closedWithin(ended.feed)).toBe(4001);
    expect(await closedWithin(ended.room)).toBe(4001);
    // The other device's session did not end: its sockets still answer.
    await stillAnswers(kept.feed);
    await stillAnswers(kept.room);
    await kept.feed.close();
    await kept.room.close();
  });

  it("DELETE /auth/sessions/:id closes that session's sockets (4001), not the caller's", async () => {
    const user = await createUser();
    const other = await secondSession(user);
    const contractId = await newContract(user);
    const victim = await socketsOf(user, other.accessToken, contractId);
    const mine = await socketsOf(user, user.accessToken, contractId);

    const revoked = await call("DELETE", `/api/v1/auth/sessions/${await sessionIdOf(other.accessToken)}`, {
      token: user.accessToken,
    });
    expect(revoked.status).toBe(200);
    expect(await closedWithin(victim.feed)).toBe(4001);
    expect(await closedWithin(victim.room)).toBe(4001);
    await stillAnswers(mine.feed);
    await stillAnswers(mine.room);
    await mine.feed.close();
    await mine.room.close();
  });

  it("a password change closes every other session's sockets and keeps the changing session's", async () => {
    const user = await createUser();
    const other = await secondSession(user);
    const contractId = await newContract(user);
    const others = await socketsOf(user, other.accessToken, contractId);
    const mine = await socketsOf(user, user.accessToken, contractId);

    const changed = await call("POST", "/api/v1/auth/password/change", {
      token: user.accessToken,
      body: { currentPassword: user.password, newPassword: `${user.password}-new` },
    });
    expect(changed.status).toBe(200);
    expect(await closedWithin(others.feed)).toBe(4001);
    expect(await closedWithin(others.room)).toBe(4001);
    await stillAnswers(mine.feed);
    await mine.feed.close();
    await mine.room.close();
  });

  it("a refresh-token reuse revokes the session and closes its sockets", async () => {
    const user = await createUser();
    const contractId = await newContract(user);
    const rotated = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: user.refreshToken } });
    expect(rotated.status).toBe(200);
    const sockets = await socketsOf(user, rotated.body.data.accessToken, contractId);
    await env.DB.prepare(
      "UPDATE refresh_tokens SET replaced_at = ? WHERE replaced_at IS NOT NULL AND session_id IN (SELECT id FROM sessions WHERE user_id = ?)",
    )
      .bind(new Date(Date.now() - 60_000).toISOString(), user.user.id)
      .run();
    expect(
      (await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: user.refreshToken } })).body.error.code,
    ).toBe("AUTH002");
    expect(await closedWithin(sockets.feed)).toBe(4001);
    expect(await closedWithin(sockets.room)).toBe(4001);
  });
});

describe("a suspended or erased account stops everywhere at once (issue 11.4)", () => {
  it("suspension closes every socket of the user with 4003, in the feed and in rooms", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser();
    const other = await secondSession(user);
    const contractId = await newContract(user);
    const a = await socketsOf(user, user.accessToken, contractId);
    const b = await socketsOf(user, other.accessToken, contractId);

    const suspended = await call("PATCH", `/api/v1/admin/users/${user.user.id}`, {
      token: admin.accessToken,
      body: { suspended: true },
    });
    expect(suspended.status).toBe(200);
    for (const socket of [a.feed, a.room, b.feed, b.room]) expect(await closedWithin(socket)).toBe(4003);
  });

  it("erasure closes the user's sockets with 4003", async () => {
    const user = await createUser();
    const contractId = await newContract(user);
    const sockets = await socketsOf(user, user.accessToken, contractId);
    const erased = await call("DELETE", "/api/v1/users/me", {
      token: user.accessToken,
      body: { password: user.password },
    });
    expect(erased.status).toBe(200);
    expect(await closedWithin(sockets.feed)).toBe(4003);
    expect(await closedWithin(sockets.room)).toBe(4003);
  });
});

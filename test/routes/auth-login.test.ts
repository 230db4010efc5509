// Login (uniform failures, lockout, per-account limit, rehash), refresh rotation with reuse detection, logout,
// suspension taking effect at once, and verifying issued tokens with jose against the JWKS fetched over HTTP.
import { env, exports } from "cloudflare:workers";
import { createRemoteJWKSet, createLocalJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { BASE, call } from "../helpers/http";
import { createUser, login, testIp, uniqueEmail } from "../helpers/users";
import { hashPassword } from "../../src/lib/passwords";

const refresh = (refreshToken: string) =>
  call("POST", "/api/v1/auth/refresh", { body: { refreshToken }, headers: { "cf-connecting-ip": testIp() } });

describe("POST /auth/login", () => {
  it("returns an EdDSA access token with kid, a refresh token and the user; records the session and audit", async () => {
    const u = await createUser();
    const res = await call("POST", "/api/v1/auth/login", {
      body: { email: u.email.toUpperCase(), password: u.password },
      headers: { "cf-connecting-ip": "203.0.113.9", "user-agent": "Phone/1.0" },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      tokenType: "Bearer",
      expiresIn: 900,
      user: { id: u.user.id, email: u.email },
    });
    expect(decodeProtectedHeader(res.body.data.accessToken)).toMatchObject({
      alg: "EdDSA",
      kid: JSON.parse(env.JWT_PRIVATE_KEY).kid,
    });
    expect(res.body.data.refreshToken).toMatch(/^ert_[0-9A-Za-z]{43}$/);

    const audit = await env.DB.prepare(
      "SELECT * FROM audit_logs WHERE actor_id = ? AND action = 'auth.login.succeeded' ORDER BY created_at DESC",
    )
      .bind(u.user.id)
      .first<Record<string, string>>();
    expect(audit).toMatchObject({ ip: "203.0.113.9", user_agent: "Phone/1.0", resource_type: "session" });

    // Nothing presented to the client is stored in clear.
    const tokens = await env.DB.prepare("SELECT * FROM refresh_tokens").all();
    const sessions = await env.DB.prepare("SELECT * FROM sessions").all();
    const users = await env.DB.prepare("SELECT * FROM users").all();
    const dump = JSON.stringify([tokens.results, sessions.results, users.results]);
    expect(dump).not.toContain(res.body.data.refreshToken);
    expect(dump).not.toContain(res.body.data.accessToken);
    expect(dump).not.toContain(u.password);
  });

  it("answers unknown email and wrong password identically (AUTH001) and audits the reason", async () => {
    const u = await createUser();
    const wrong = await login(u.email, "wrong password!!");
    const unknown = await login(uniqueEmail("nobody"), "wrong password!!");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
    expect(wrong.body.error.code).toBe("AUTH001");
    const failed = await env.DB.prepare(
      "SELECT data FROM audit_logs WHERE actor_id = ? AND action = 'auth.login.failed'",
    )
      .bind(u.user.id)
      .first<{ data: string }>();
    expect(JSON.parse(failed!.data)).toEqual({ reason: "bad_password" });
    const anon = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE actor_id IS NULL AND action = 'auth.login.failed' AND data LIKE '%unknown_email%'",
    ).first<{ n: number }>();
    expect(anon!.n).toBeGreaterThan(0);
  });

  it("rejects invalid input with VAL001", async () => {
    const res = await call("POST", "/api/v1/auth/login", { body: { email: "x", password: "" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(["email", "password"]);
  });

  it("locks the email after 5 consecutive failures (423 AUTH007 + Retry-After), even for the right password", async () => {
    const u = await createUser();
    for (let i = 0; i < 5; i++) expect((await login(u.email, `wrong password ${i}`)).body.error.code).toBe("AUTH001");
    const locked = await login(u.email, u.password);
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe("AUTH007");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    // Once the lock has passed, the right password works and the counter starts again.
    const stateRows = await env.DB.prepare("SELECT * FROM login_throttles").all<{ email_key: string }>();
    expect(JSON.stringify(stateRows.results)).not.toContain(u.email);
    await env.DB.prepare("UPDATE login_throttles SET locked_until = ?")
      .bind(new Date(Date.now() - 1000).toISOString())
      .run();
    expect((await login(u.email, u.password)).status).toBe(200);
  });

  it("counts parallel wrong guesses each (no lost updates), so they lock too", async () => {
    const u = await createUser();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => login(u.email, `parallel guess ${i}`)));
    expect(results.map((r) => r.body.error.code)).toEqual(Array(5).fill("AUTH001"));
    expect((await login(u.email, u.password)).body.error.code).toBe("AUTH007");
  });

  it("locks unknown emails the same way (lockout does not reveal which accounts exist)", async () => {
    const email = uniqueEmail("ghost");
    for (let i = 0; i < 5; i++) expect((await login(email, `wrong password ${i}`)).body.error.code).toBe("AUTH001");
    expect((await login(email, "wrong password x")).body.error.code).toBe("AUTH007");
  });

  it("limits attempts per account across IPs (RATE001)", async () => {
    const email = uniqueEmail("target");
    const codes: string[] = [];
    for (let i = 0; i < 22; i++) codes.push((await login(email, `guess number ${i}`)).body.error.code);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill("AUTH001"));
    expect(codes).toContain("RATE001");
  });

  it("upgrades a hash made with weaker parameters at the next login", async () => {
    const u = await createUser();
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(hashPassword(u.password, { m: 1024, t: 1, p: 1 }), u.user.id)
      .run();
    expect((await login(u.email, u.password)).status).toBe(200);
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
      .bind(u.user.id)
      .first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(u.email, u.password)).status).toBe(200);
  });
});

/** Moves the rotation of every replaced refresh token of the user `seconds` into the past. */
async function ageRotation(userId: string, seconds: number) {
  await env.DB.prepare(
    "UPDATE refresh_tokens SET replaced_at = ? WHERE replaced_at IS NOT NULL AND session_id IN (SELECT id FROM sessions WHERE user_id = ?)",
  )
    .bind(new Date(Date.now() - seconds * 1000).toISOString(), userId)
    .run();
}

describe("POST /auth/refresh", () => {
  it("rotates: the new pair works, the old refresh token is dead", async () => {
    const u = await createUser();
    const first = await refresh(u.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.data.refreshToken).not.toBe(u.refreshToken);
    expect((await call("GET", "/api/v1/auth/me", { token: first.body.data.accessToken })).status).toBe(200);
    const second = await refresh(first.body.data.refreshToken);
    expect(second.status).toBe(200);
  });

  it("ignores a stale bearer sent along (as client interceptors do), while protected routes still refuse it", async () => {
    const u = await createUser();
    await call("POST", "/api/v1/auth/logout", { token: u.accessToken, body: {} });
    const other = await createUser();
    const withStale = { token: u.accessToken, headers: { "cf-connecting-ip": testIp() } };
    const refreshed = await call("POST", "/api/v1/auth/refresh", {
      ...withStale,
      body: { refreshToken: other.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(
      (
        await call("POST", "/api/v1/auth/login", {
          ...withStale,
          body: { email: other.email, password: other.password },
        })
      ).status,
    ).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).body.error.code).toBe("AUTH002");
  });

  it("revokes the whole session when a rotated refresh token is reused after the 30 s grace window", async () => {
    const u = await createUser();
    const rotated = await refresh(u.refreshToken);
    expect(rotated.status).toBe(200);
    await ageRotation(u.user.id, 31);
    const reuse = await refresh(u.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe("AUTH002");
    // Both the thief's and the victim's current tokens are dead now.
    expect((await refresh(rotated.body.data.refreshToken)).body.error.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/auth/me", { token: rotated.body.data.accessToken })).body.error.code).toBe(
      "AUTH002",
    );
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).body.error.code).toBe("AUTH002");
    const session = await env.DB.prepare(
      "SELECT s.revoked_reason FROM sessions s JOIN refresh_tokens r ON r.session_id = s.id WHERE r.token_hash IS NOT NULL AND s.user_id = ?",
    )
      .bind(u.user.id)
      .first<{ revoked_reason: string }>();
    expect(session!.revoked_reason).toBe("refresh_reuse");
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'auth.refresh.reused'",
    )
      .bind(u.user.id)
      .first<{ n: number }>();
    expect(audit!.n).toBe(1);
  });

  it("gives two concurrent refreshes with the same token the same successor pair (two tabs are not an attack)", async () => {
    const u = await createUser();
    const results = await Promise.all([refresh(u.refreshToken), refresh(u.refreshToken)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const [a, b] = results.map((r) => r.body.data);
    expect(a.refreshToken).toBe(b.refreshToken);
    expect(a.accessToken).toBe(b.accessToken);
    expect(a.refreshToken).not.toBe(u.refreshToken);
    const revoked = await env.DB.prepare(
      "SELECT count(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NOT NULL",
    )
      .bind(u.user.id)
      .first<{ n: number }>();
    expect(revoked!.n).toBe(0);
    // One successor only, and it works: the session goes on.
    const chain = await env.DB.prepare(
      "SELECT count(*) AS n FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = ?",
    )
      .bind(u.user.id)
      .first<{ n: number }>();
    expect(chain!.n).toBe(2);
    expect((await call("GET", "/api/v1/auth/me", { token: a.accessToken })).status).toBe(200);
    expect((await refresh(a.refreshToken)).status).toBe(200);
  });

  it("answers a replayed token within 30 s of its rotation with the same pair (a retried request)", async () => {
    const u = await createUser();
    const first = await refresh(u.refreshToken);
    expect(first.status).toBe(200);
    await ageRotation(u.user.id, 20);
    const retried = await refresh(u.refreshToken);
    expect(retried.status).toBe(200);
    expect(retried.body.data.refreshToken).toBe(first.body.data.refreshToken);
    // Its access token is issued as of the rotation (here moved 20 s back for the test), so it has less time left.
    expect(retried.body.data.expiresIn).toBeLessThan(first.body.data.expiresIn);
    expect((await call("GET", "/api/v1/auth/me", { token: retried.body.data.accessToken })).status).toBe(200);
    // After the window, the same replay is reuse: the session is revoked (AUTH002), the successor dies with it.
    await ageRotation(u.user.id, 31);
    const late = await refresh(u.refreshToken);
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe("AUTH002");
    expect((await refresh(first.body.data.refreshToken)).body.error.code).toBe("AUTH002");
    const row = await env.DB.prepare("SELECT revoked_reason FROM sessions WHERE user_id = ? AND revoked_at IS NOT NULL")
      .bind(u.user.id)
      .first<{ revoked_reason: string }>();
    expect(row!.revoked_reason).toBe("refresh_reuse");
  });

  it("refuses the grace window to a token whose successor was already rotated, without revoking the session", async () => {
    const u = await createUser();
    const first = await refresh(u.refreshToken);
    const second = await refresh(first.body.data.refreshToken);
    expect(second.status).toBe(200);
    const stale = await refresh(u.refreshToken);
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/auth/me", { token: second.body.data.accessToken })).status).toBe(200);
  });

  it("refuses unknown and expired refresh tokens (AUTH002) and invalid input (VAL001)", async () => {
    expect((await refresh("ert_doesnotexist")).body.error.code).toBe("AUTH002");
    const u = await createUser();
    await env.DB.prepare(
      "UPDATE refresh_tokens SET expires_at = ? WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)",
    )
      .bind(new Date(Date.now() - 1000).toISOString(), u.user.id)
      .run();
    expect((await refresh(u.refreshToken)).body.error.code).toBe("AUTH002");
    const invalid = await call("POST", "/api/v1/auth/refresh", { body: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("VAL001");
  });
});

describe("Idempotency-Key on token routes (attack pass: a replay must not outlive the token's own rules)", () => {
  it("a refresh replayed with its Idempotency-Key after the grace window is reuse, not the stored pair", async () => {
    const u = await createUser();
    const ip = testIp();
    const send = () =>
      call("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: u.refreshToken },
        headers: { "cf-connecting-ip": ip, "idempotency-key": `refresh-${u.user.id}` },
      });
    const first = await send();
    expect(first.status).toBe(200);
    // Within the grace window a retry gets the same pair (the route's own rule), not a stored copy.
    const retried = await send();
    expect(retried.status).toBe(200);
    expect(retried.body.data.refreshToken).toBe(first.body.data.refreshToken);
    await ageRotation(u.user.id, 31);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("AUTH002");
    expect(replay.body.data).toBeUndefined();
    expect((await call("GET", "/api/v1/auth/me", { token: first.body.data.accessToken })).status).toBe(401);
  });

  it("a login replayed with its Idempotency-Key after logout gets a new session, never the revoked tokens again", async () => {
    const u = await createUser();
    const ip = testIp();
    const send = () =>
      call("POST", "/api/v1/auth/login", {
        body: { email: u.email, password: u.password },
        headers: { "cf-connecting-ip": ip, "idempotency-key": `login-${u.user.id}` },
      });
    const first = await send();
    expect(first.status).toBe(200);
    await call("POST", "/api/v1/auth/logout", { token: first.body.data.accessToken, body: {} });
    const again = await send();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.body.data.refreshToken).not.toBe(first.body.data.refreshToken);
    expect((await call("GET", "/api/v1/auth/me", { token: again.body.data.accessToken })).status).toBe(200);
  });
});

describe("POST /auth/logout", () => {
  it("revokes the current session: its access and refresh tokens stop working at once", async () => {
    const u = await createUser();
    const res = await call("POST", "/api/v1/auth/logout", { token: u.accessToken, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.data.revoked).toBe(true);
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).body.error.code).toBe("AUTH002");
    expect((await refresh(u.refreshToken)).body.error.code).toBe("AUTH002");
  });

  it("works without a body, and also kills the session of a refresh token sent along", async () => {
    const u = await createUser();
    const other = await login(u.email, u.password);
    const res = await call("POST", "/api/v1/auth/logout", {
      token: u.accessToken,
      body: { refreshToken: other.body.data.refreshToken },
    });
    expect(res.status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { token: other.body.data.accessToken })).body.error.code).toBe(
      "AUTH002",
    );
    const third = await login(u.email, u.password);
    const bare = await call("POST", "/api/v1/auth/logout", { token: third.body.data.accessToken });
    expect(bare.status).toBe(200);
    expect((await call("GET", "/api/v1/auth/me", { token: third.body.data.accessToken })).body.error.code).toBe(
      "AUTH002",
    );
  });

  it("needs a session (AUTH004 anonymous)", async () => {
    const res = await call("POST", "/api/v1/auth/logout", { body: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTH004");
  });
});

describe("suspension", () => {
  it("kills access tokens and refresh at once and blocks login", async () => {
    const u = await createUser();
    expect((await call("GET", "/api/v1/auth/me", { token: u.accessToken })).status).toBe(200);
    await env.DB.prepare("UPDATE users SET suspended = 1 WHERE id = ?").bind(u.user.id).run();
    const me = await call("GET", "/api/v1/auth/me", { token: u.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("AUTH002");
    expect((await refresh(u.refreshToken)).body.error.code).toBe("AUTH002");
    const again = await login(u.email, u.password);
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe("AUTH003");
  });
});

describe("role changes", () => {
  it("apply to the next request: the role comes from D1, not from the token", async () => {
    const u = await createUser();
    await env.DB.prepare("UPDATE users SET role = 'viewer' WHERE id = ?").bind(u.user.id).run();
    const me = await call("GET", "/api/v1/auth/me", { token: u.accessToken });
    expect(me.body.data.user.role).toBe("viewer");
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes only the public key, and an issued token verifies with jose against the JWKS fetched over HTTP", async () => {
    const u = await createUser();
    const res = await exports.default.fetch(new Request(`${BASE}/.well-known/jwks.json`));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("max-age");
    const jwks = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: "OKP",
      crv: "Ed25519",
      alg: "EdDSA",
      use: "sig",
      kid: JSON.parse(env.JWT_PRIVATE_KEY).kid,
    });
    expect(jwks.keys[0]).not.toHaveProperty("d");

    const local = await jwtVerify(u.accessToken, createLocalJWKSet(jwks as never), { algorithms: ["EdDSA"] });
    expect(local.payload).toMatchObject({ sub: u.user.id, role: "user", aud: "escra-api" });
    expect(local.payload.sid).toMatch(/^ses_/);

    // The way a partner would: a remote JWK Set, here fetched from the Worker over its HTTP interface.
    const remote = createRemoteJWKSet(new URL(`${BASE}/.well-known/jwks.json`), {
      [customFetch]: (url: string, init: RequestInit) => exports.default.fetch(new Request(url, init)),
    });
    const verified = await jwtVerify(u.accessToken, remote, { algorithms: ["EdDSA"] });
    expect(verified.payload.sub).toBe(u.user.id);
    expect(verified.protectedHeader.kid).toBe(jwks.keys[0]!.kid);
  });
});

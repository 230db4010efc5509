// Sign in with Google, Microsoft and LinkedIn (issue 17.1/17.2) against a real OpenID Provider (node-oidc-provider on
// loopback, test/node/oidc-provider.ts): the full redirect flow, the linking rules, every refusal a forged or replayed
// answer must meet, the MFA challenge, and the unlink rules.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser, uniqueEmail, testIp } from "../helpers/users";
import { authorize, callback, followProvider, providerAccount, providerUrl, signIn, subject } from "../helpers/oidc";
import { base32Decode, totp } from "../../src/domain/totp";

async function identities(token: string) {
  return call("GET", "/api/v1/auth/identities", { token });
}

async function link(token: string, provider: string, body: Record<string, unknown> = {}) {
  return call("POST", "/api/v1/auth/identities/link", { token, body: { provider, ...body } });
}

describe("sign in with a provider: new accounts and linking", { timeout: 90_000 }, () => {
  it("a provider's display name becomes a name documents can show: one line, characters no font covers dropped", async () => {
    const email = uniqueEmail("google-name");
    const account = await providerAccount({
      id: subject(),
      email,
      emailVerified: true,
      name: "Ada\r\nLovelace \uE000",
    });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data.user.name).toBe("Ada Lovelace");
  });

  it("a provider's display name loses bidirectional overrides and isolates, which would reorder it when shown", async () => {
    const account = await providerAccount({
      id: subject(),
      email: uniqueEmail("google-bidi-name"),
      emailVerified: true,
      name: "Ann\u202Efdp.exe \u2067Lee\u2069",
    });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data.user.name).toBe("Annfdp.exe Lee");
  });

  it("a provider's name cut to 200 characters never splits a character in two (a lone surrogate cannot render)", async () => {
    const account = await providerAccount({
      id: subject(),
      email: uniqueEmail("google-long-name"),
      emailVerified: true,
      // U+1F170 is drawable (a symbol font covers it) and takes two UTF-16 units: units 200 and 201.
      name: `${"a".repeat(199)}\u{1F170}`,
    });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data.user.name).toBe("a".repeat(199));
    // The name is one a person could have typed: the profile accepts it back unchanged.
    const put = await call("PATCH", "/api/v1/users/me", {
      token: res.body.data.accessToken,
      body: { name: res.body.data.user.name },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  });

  it("a new person signs in with Google: an account with a verified email and the login response; again: the same account", async () => {
    const email = uniqueEmail("google-new");
    const account = await providerAccount({ id: subject(), email, emailVerified: true, name: "Ada Lovelace" });
    const first = await signIn("google", account.id);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ tokenType: "Bearer", created: true, returnTo: null });
    expect(first.body.data.user).toMatchObject({ email, name: "Ada Lovelace", emailVerified: true, mfaEnabled: false });
    expect(first.headers.get("cache-control")).toBe("no-store");

    const me = await call("GET", "/api/v1/auth/me", { token: first.body.data.accessToken });
    expect(me.body.data.user.id).toBe(first.body.data.user.id);
    // The refresh token is a normal one.
    const refreshed = await call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: first.body.data.refreshToken },
    });
    expect(refreshed.status).toBe(200);

    const list = await identities(first.body.data.accessToken);
    expect(list.body.data.hasPassword).toBe(false);
    expect(list.body.data.identities).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^idn_/), provider: "google", email, emailVerified: true }),
    ]);

    const again = await signIn("google", account.id);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ created: false, user: { id: first.body.data.user.id } });
    // No password works on a provider-made account.
    const pw = await call("POST", "/api/v1/auth/login", {
      body: { email, password: "!none" },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(pw.body.error.code).toBe("AUTH001");
  });

  it("links to the existing account when the provider vouches for its verified email", async () => {
    const u = await createUser({ email: uniqueEmail("link-verified") });
    const account = await providerAccount({ id: subject(), email: u.email.toUpperCase(), emailVerified: true });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ created: false, user: { id: u.user.id, email: u.email } });
    const list = await identities(u.accessToken);
    expect(list.body.data.identities.map((i: { provider: string }) => i.provider)).toEqual(["google"]);
    expect(list.body.data.hasPassword).toBe(true);
  });

  it("refuses an unverified email claim for an address an account holds (403 AUTH006) and links nothing", async () => {
    const u = await createUser({ email: uniqueEmail("link-unverified") });
    const account = await providerAccount({ id: subject(), email: u.email, emailVerified: false });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "AUTH006", details: { reason: "email_not_verified" } });
    expect((await identities(u.accessToken)).body.data.identities).toEqual([]);
  });

  it("a new address the provider does not vouch for makes an account whose email is unverified", async () => {
    const email = uniqueEmail("new-unverified");
    const account = await providerAccount({ id: subject(), email, emailVerified: false });
    const res = await signIn("linkedin", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ email, emailVerified: false });
  });

  it("a verified claim replaces an account that only registered the address without verifying it", async () => {
    const email = uniqueEmail("squatted");
    const squatter = await call("POST", "/api/v1/auth/register", {
      body: { email, password: "squatter-password-1", name: "Squatter" },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(squatter.status).toBe(201);
    const account = await providerAccount({ id: subject(), email, emailVerified: true });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ created: true, user: { email, emailVerified: true } });
    expect(res.body.data.user.id).not.toBe(squatter.body.data.user.id);
  });

  it("a provider that shares no email is refused (AUTH006)", async () => {
    const account = await providerAccount({ id: subject() });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "AUTH006", details: { reason: "no_email" } });
  });

  it("LinkedIn (client_secret_post) signs in too, and returnTo is echoed", async () => {
    const email = uniqueEmail("linkedin");
    const account = await providerAccount({ id: subject(), email, emailVerified: true });
    const res = await signIn("linkedin", account.id, { returnTo: "http://localhost:5173/after?x=1" });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ returnTo: "http://localhost:5173/after?x=1", user: { email } });
  });
});

describe("Microsoft (Entra ID multi-tenant): the issuer is the tenant template filled with the token's tid", {
  timeout: 90_000,
}, () => {
  it("signs in through the `common` authority whose metadata names {tenantid}", async () => {
    const email = uniqueEmail("entra");
    const account = await providerAccount({ id: subject(), email, emailVerified: true });
    const res = await signIn("microsoft", account.id);
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ email, emailVerified: true });
  });

  it("refuses an ID token whose tid names another tenant than its issuer", async () => {
    const account = await providerAccount({
      id: subject(),
      email: uniqueEmail("entra-tid"),
      emailVerified: true,
      tamper: "wrong_tid",
    });
    const res = await signIn("microsoft", account.id);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "AUTH001", details: { reason: "iss_mismatch" } });
  });

  it("without xms_edov the email is not vouched for: an existing account is not linked", async () => {
    const u = await createUser({ email: uniqueEmail("entra-edov") });
    const account = await providerAccount({ id: subject(), email: u.email, emailVerified: false });
    const res = await signIn("microsoft", account.id);
    expect(res.body.error.code).toBe("AUTH006");
  });
});

describe("forged, replayed and mismatched answers are refused (401 AUTH001)", { timeout: 90_000 }, () => {
  it("a state this server never issued", async () => {
    const account = await providerAccount({ id: subject(), email: uniqueEmail("state"), emailVerified: true });
    const params = await followProvider(await providerUrl("google", account.id));
    params.set("state", "forged-state-value");
    const res = await callback("google", params);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "AUTH001", details: { reason: "unknown_state" } });
  });

  it("a state issued for another provider", async () => {
    const account = await providerAccount({ id: subject(), email: uniqueEmail("state-provider"), emailVerified: true });
    const params = await followProvider(await providerUrl("google", account.id));
    const res = await callback("linkedin", params);
    expect(res.body.error).toMatchObject({ code: "AUTH001", details: { reason: "unknown_state" } });
  });

  it("the same callback twice (state is single use), and a replayed code under a fresh state", async () => {
    const account = await providerAccount({ id: subject(), email: uniqueEmail("replay"), emailVerified: true });
    const params = await followProvider(await providerUrl("google", account.id));
    expect((await callback("google", params)).status).toBe(200);
    const again = await callback("google", params);
    expect(again.body.error).toMatchObject({ code: "AUTH001", details: { reason: "unknown_state" } });

    // A fresh flow's state with the first flow's (spent) code: the provider refuses the code.
    const fresh = await followProvider(await providerUrl("google", account.id));
    const replayed = new URLSearchParams(fresh);
    replayed.set("code", params.get("code")!);
    const res = await callback("google", replayed);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "AUTH001", details: { reason: "token_error:invalid_grant" } });
  });

  it("an ID token whose nonce is not the one this flow sent", async () => {
    const account = await providerAccount({ id: subject(), email: uniqueEmail("nonce"), emailVerified: true });
    const url = new URL(await providerUrl("google", account.id));
    url.searchParams.set("nonce", "a-nonce-the-worker-never-issued");
    const res = await callback("google", await followProvider(url.href));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "AUTH001", details: { reason: "nonce_mismatch" } });
  });

  it("an ID token signed by another key than the provider publishes", async () => {
    const account = await providerAccount({
      id: subject(),
      email: uniqueEmail("rogue"),
      emailVerified: true,
      tamper: "rogue_key",
    });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "AUTH001", details: { reason: "bad_signature" } });
    // Nothing was created for the forged token.
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM user_identities WHERE subject = ?")
      .bind(account.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("the provider's own error (the person declined) is refused with its code", async () => {
    const res = await authorize("google", { loginHint: "whoever" });
    const state = new URL(res.headers.get("location")!).searchParams.get("state")!;
    const iss = `${env.OIDC_TEST_PROVIDER_URL}/google`;
    const declined = await callback("google", new URLSearchParams({ state, iss, error: "access_denied" }));
    expect(declined.body.error).toMatchObject({ code: "AUTH001", details: { reason: "provider_error:access_denied" } });
  });
});

describe("authorize: allow-lists and providers", { timeout: 90_000 }, () => {
  it("302s to the provider with PKCE S256, state and nonce", async () => {
    const res = await authorize("google", { loginHint: "someone" });
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get("location")!);
    expect(url.origin + url.pathname).toBe(`${env.OIDC_TEST_PROVIDER_URL}/google/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "escra-google",
      redirect_uri: "http://localhost/api/v1/auth/oauth/google/callback",
      code_challenge_method: "S256",
      login_hint: "someone",
    });
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{40,}$/);
    expect(url.searchParams.get("nonce")).toMatch(/^[\w-]{40,}$/);
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
  });

  it("refuses a redirect URI or returnTo off the allow-lists (VAL001)", async () => {
    const bad = await authorize("google", { redirectUri: "https://evil.example/callback" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; details: { path: string }[] } }).error).toMatchObject({
      code: "VAL001",
      details: [{ path: "redirectUri" }],
    });
    const off = await authorize("google", { returnTo: "https://evil.example/after" });
    expect(off.status).toBe(400);
    const notUrl = await authorize("google", { returnTo: "javascript:alert(1)" });
    expect(notUrl.status).toBe(400);
  });

  it("an unknown provider is 404 RES001; the enabled ones are listed and in the OpenAPI enum", async () => {
    const res = await authorize("github");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("RES001");
    const listed = await call("GET", "/api/v1/auth/oauth/providers");
    expect(listed.body.data.providers.map((p: { id: string }) => p.id)).toEqual(["google", "microsoft", "linkedin"]);
    const doc = await call("GET", "/api/v1/openapi.json");
    const param = doc.body.paths["/api/v1/auth/oauth/{provider}/authorize"].get.parameters.find(
      (p: { name: string }) => p.name === "provider",
    );
    expect(param.schema.enum).toEqual(["google", "microsoft", "linkedin"]);
  });

  it("the callback needs a state (VAL001)", async () => {
    const res = await callback("google", new URLSearchParams({ code: "x" }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
  });
});

describe("MFA on: the callback answers an AUTH005 challenge, finished with a one-time code", {
  timeout: 90_000,
}, () => {
  it("challenge + TOTP → the login response; a wrong code is AUTH005; a used challenge is AUTH001", async () => {
    const u = await createUser({ email: uniqueEmail("mfa") });
    const enabled = await call("POST", "/api/v1/auth/mfa/enable", { token: u.accessToken, body: {} });
    const secret = base32Decode(enabled.body.data.secret);
    expect(
      (
        await call("POST", "/api/v1/auth/mfa/verify", {
          token: u.accessToken,
          body: { code: totp(secret, Date.now()) },
        })
      ).status,
    ).toBe(200);

    const account = await providerAccount({ id: subject(), email: u.email, emailVerified: true });
    const res = await signIn("google", account.id);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "AUTH005", details: { mfaRequired: true } });
    const challenge: string = res.body.error.details.challenge;
    expect(challenge.length).toBeGreaterThan(30);
    expect(res.body.data).toBeUndefined();

    const ip = { "cf-connecting-ip": testIp() };
    const wrong = await call("POST", "/api/v1/auth/oauth/mfa", { body: { challenge, mfaCode: "000000" }, headers: ip });
    expect(wrong.body.error.code).toBe("AUTH005");
    const done = await call("POST", "/api/v1/auth/oauth/mfa", {
      body: { challenge, mfaCode: totp(secret, Date.now() + 30_000) },
      headers: ip,
    });
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ tokenType: "Bearer", user: { id: u.user.id, mfaEnabled: true } });
    const reused = await call("POST", "/api/v1/auth/oauth/mfa", {
      body: { challenge, mfaCode: totp(secret, Date.now() + 60_000) },
      headers: ip,
    });
    expect(reused.body.error.code).toBe("AUTH001");
    const bad = await call("POST", "/api/v1/auth/oauth/mfa", { body: { challenge: "short" }, headers: ip });
    expect(bad.body.error.code).toBe("VAL001");
  });
});

describe("explicit link and the unlink rules", { timeout: 90_000 }, () => {
  it("a signed-in user links LinkedIn whatever email it asserts; the same LinkedIn account cannot join another user", async () => {
    const u = await createUser({ email: uniqueEmail("explicit") });
    const account = await providerAccount({ id: subject(), email: uniqueEmail("other-address"), emailVerified: false });
    const started = await link(u.accessToken, "linkedin", { returnTo: "http://localhost:5173/settings" });
    expect(started.status).toBe(201);
    const url = new URL(started.body.data.authorizationUrl);
    url.searchParams.set("login_hint", account.id);
    const res = await callback("linkedin", await followProvider(url.href));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      identity: { provider: "linkedin" },
      returnTo: "http://localhost:5173/settings",
    });
    expect(res.body.data.accessToken).toBeUndefined();
    expect((await identities(u.accessToken)).body.data.identities).toHaveLength(1);

    // Signing in with that LinkedIn account now reaches u, though its email is not u's.
    const signedIn = await signIn("linkedin", account.id);
    expect(signedIn.body.data.user.id).toBe(u.user.id);

    const other = await createUser({ email: uniqueEmail("explicit-other") });
    const again = new URL((await link(other.accessToken, "linkedin")).body.data.authorizationUrl);
    again.searchParams.set("login_hint", account.id);
    const taken = await callback("linkedin", await followProvider(again.href));
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("RES002");
  });

  it("link needs a session: an API key is 403 AUTH003, no token AUTH004, bad body VAL001", async () => {
    const u = await createUser();
    const key = await call("POST", "/api/v1/api-keys", {
      token: u.accessToken,
      body: { name: "k", scopes: ["profile:read"] },
    });
    expect((await link(key.body.data.secret, "google")).body.error.code).toBe("AUTH003");
    expect((await call("POST", "/api/v1/auth/identities/link", { body: { provider: "google" } })).body.error.code).toBe(
      "AUTH004",
    );
    expect((await link(u.accessToken, "github")).body.error.code).toBe("VAL001");
    expect((await call("GET", "/api/v1/auth/identities", { token: key.body.data.secret })).body.error.code).toBe(
      "AUTH003",
    );
  });

  it("the last way to sign in cannot be unlinked; with a second identity or a password it can", async () => {
    const account = await providerAccount({ id: subject(), email: uniqueEmail("unlink"), emailVerified: true });
    const created = await signIn("google", account.id);
    const token: string = created.body.data.accessToken;
    const [google] = (await identities(token)).body.data.identities;
    const last = await call("DELETE", `/api/v1/auth/identities/${google.id}`, { token });
    expect(last.status).toBe(409);
    expect(last.body.error).toMatchObject({ code: "RES002", details: { reason: "last_sign_in_method" } });

    const ms = await providerAccount({ id: subject(), email: uniqueEmail("unlink-ms"), emailVerified: true });
    const url = new URL((await link(token, "microsoft")).body.data.authorizationUrl);
    url.searchParams.set("login_hint", ms.id);
    expect((await callback("microsoft", await followProvider(url.href))).status).toBe(200);

    const removed = await call("DELETE", `/api/v1/auth/identities/${google.id}`, { token });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toEqual({ id: google.id, unlinked: true });
    const [remaining] = (await identities(token)).body.data.identities;
    expect(remaining.provider).toBe("microsoft");
    expect((await call("DELETE", `/api/v1/auth/identities/${remaining.id}`, { token })).status).toBe(409);
    expect((await call("DELETE", `/api/v1/auth/identities/${google.id}`, { token })).status).toBe(404);

    // A password account may drop its only identity; another user's identity is 404 RES001.
    const u = await createUser({ email: uniqueEmail("unlink-pw") });
    await providerAccount({ id: `pw-${u.user.id}`, email: u.email, emailVerified: true });
    await signIn("google", `pw-${u.user.id}`);
    const [own] = (await identities(u.accessToken)).body.data.identities;
    const foreign = await call("DELETE", `/api/v1/auth/identities/${own.id}`, { token });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("RES001");
    expect((await call("DELETE", `/api/v1/auth/identities/${own.id}`, { token: u.accessToken })).status).toBe(200);
  });
});

describe("export and erasure reach linked identities", { timeout: 90_000 }, () => {
  it("the export lists them; after erasure the provider account no longer reaches the erased account", async () => {
    const u = await createUser({ email: uniqueEmail("erase-linked") });
    const account = await providerAccount({ id: subject(), email: u.email, emailVerified: true });
    expect((await signIn("google", account.id)).body.data.user.id).toBe(u.user.id);
    const exported = await call("GET", "/api/v1/users/me/export", { token: u.accessToken });
    expect(exported.body.data.identities).toEqual([
      expect.objectContaining({ provider: "google", subject: account.id, email: u.email }),
    ]);

    const erased = await call("DELETE", "/api/v1/users/me", { token: u.accessToken, body: { password: u.password } });
    expect(erased.status).toBe(200);
    const after = await signIn("google", account.id);
    expect(after.status).toBe(200);
    expect(after.body.data).toMatchObject({ created: true });
    expect(after.body.data.user.id).not.toBe(u.user.id);
  });
});

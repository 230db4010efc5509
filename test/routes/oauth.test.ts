// Escra as an OAuth 2 authorization server for partner applications (issue 17.4), driven by an independent client
// library (oauth4webapi) whose fetch is the Worker under test. The user's consent goes through the same calls the
// consent page makes: GET /oauth/authorize (the page), then POST /oauth/authorize with the user's bearer.
import { beforeAll, describe, expect, it } from "vitest";
import { env, exports } from "cloudflare:workers";
import * as oauth from "oauth4webapi";
import { call, fetchWorker } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";

const issuer = new URL(env.PUBLIC_BASE_URL);
const REDIRECT = "https://partner.example.com/oauth/callback";
const http = {
  [oauth.customFetch]: (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, init)),
  [oauth.allowInsecureRequests]: true,
};

let as: oauth.AuthorizationServer;
// Made once (each registration costs an argon2 hash): every test registers its own application, so authorizations
// never mix between tests; the cap test's `capped` and the viewer are the only users with a special state.
let partner: TestUser;
let user: TestUser;
let stranger: TestUser;
let viewer: TestUser;
let capped: TestUser;

interface App {
  id: string;
  clientId: string;
  clientSecret: string;
  client: oauth.Client;
}

async function registerApp(owner: TestUser, body: Record<string, unknown> = {}): Promise<App> {
  const res = await call("POST", "/api/v1/oauth/applications", {
    token: owner.accessToken,
    body: { name: "Partner CRM", redirectUris: [REDIRECT], scopes: ["contracts:read", "escrows:read"], ...body },
  });
  if (res.status !== 201) throw new Error(`app not registered: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body.data, client: { client_id: res.body.data.clientId } };
}

function authorizeQuery(app: App, options: { scope?: string; state: string; challenge: string; redirectUri?: string }) {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: options.redirectUri ?? REDIRECT,
    state: options.state,
    code_challenge: options.challenge,
    code_challenge_method: "S256",
  });
  if (options.scope !== undefined) q.set("scope", options.scope);
  return q;
}

/** The consent step as the page does it: show the page, then the signed-in user's approval → the redirect URL. */
async function consent(app: App, user: TestUser, options: { scope?: string; decision?: "approve" | "deny" } = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const query = authorizeQuery(app, { scope: options.scope, state, challenge });
  const page = await fetchWorker(`/api/v1/oauth/authorize?${query}`);
  expect(page.status).toBe(200);
  await page.text();
  const decided = await call("POST", "/api/v1/oauth/authorize", {
    token: user.accessToken,
    body: { ...Object.fromEntries(query), decision: options.decision ?? "approve" },
  });
  expect(decided.status).toBe(200);
  return { callback: new URL(decided.body.data.redirectTo), verifier, state };
}

/** The whole code + PKCE flow through oauth4webapi, with client_secret_basic. */
async function tokensFor(app: App, user: TestUser, scope?: string) {
  const { callback, verifier, state } = await consent(app, user, { scope });
  const params = oauth.validateAuthResponse(as, app.client, callback, state);
  const res = await oauth.authorizationCodeGrantRequest(
    as,
    app.client,
    oauth.ClientSecretBasic(app.clientSecret),
    params,
    REDIRECT,
    verifier,
    http,
  );
  return oauth.processAuthorizationCodeResponse(as, app.client, res);
}

async function tokenError(promise: Promise<unknown>): Promise<{ error: string; status: number }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof oauth.ResponseBodyError) return { error: e.error, status: e.status };
    if (e instanceof oauth.AuthorizationResponseError) return { error: e.error, status: 0 };
    throw e;
  }
  throw new Error("expected an OAuth error");
}

beforeAll(async () => {
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...http }),
  );
  [partner, user, stranger, viewer, capped] = await Promise.all([
    createUser({ email: `oauth-partner-${crypto.randomUUID().slice(0, 8)}@example.com` }),
    createUser(),
    createUser(),
    createUser({ role: "viewer" }),
    createUser(),
  ]);
}, 120_000);

describe("metadata (RFC 8414)", () => {
  it("is discovered by an independent client and names every endpoint", () => {
    expect(as.issuer).toBe(env.PUBLIC_BASE_URL.replace(/\/$/, ""));
    expect(as.token_endpoint).toBe(`${as.issuer}/api/v1/oauth/token`);
    expect(as.authorization_endpoint).toBe(`${as.issuer}/api/v1/oauth/authorize`);
    expect(as.revocation_endpoint).toBe(`${as.issuer}/api/v1/oauth/revoke`);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.grant_types_supported).toEqual(["authorization_code", "refresh_token", "client_credentials"]);
    expect(as.scopes_supported).toContain("contracts:read");
    expect(as.scopes_supported).not.toContain("admin:read");
  });
});

describe("applications", () => {
  it("registers with a client secret shown once, hashed at rest, and lists without it", async () => {
    const app = await registerApp(partner, { name: "Listed app" });
    expect(app.clientId).toMatch(/^oap_/);
    expect(app.clientSecret).toMatch(/^ecs_/);
    const row = await env.DB.prepare("SELECT secret_hash FROM oauth_applications WHERE id = ?")
      .bind(app.id)
      .first<{ secret_hash: string }>();
    expect(row!.secret_hash).not.toContain(app.clientSecret);
    const list = await call("GET", "/api/v1/oauth/applications", { token: partner.accessToken });
    expect(list.status).toBe(200);
    const listed = list.body.data.find((a: { id: string }) => a.id === app.id);
    expect(listed).toMatchObject({
      name: "Listed app",
      redirectUris: [REDIRECT],
      scopes: ["contracts:read", "escrows:read"],
    });
    expect(JSON.stringify(list.body)).not.toContain(app.clientSecret);
    const one = await call("GET", `/api/v1/oauth/applications/${app.id}`, { token: partner.accessToken });
    expect(one.status).toBe(200);
    expect(one.body.data.clientSecret).toBeUndefined();
  });

  it("refuses bad input: http off loopback, fragments, admin scopes (VAL001)", async () => {
    for (const body of [
      { redirectUris: ["http://partner.example.com/cb"] },
      { redirectUris: ["https://partner.example.com/cb#frag"] },
      { scopes: ["admin:read"] },
      { name: "" },
    ]) {
      const res = await call("POST", "/api/v1/oauth/applications", {
        token: partner.accessToken,
        body: { name: "Bad", redirectUris: [REDIRECT], scopes: ["contracts:read"], ...body },
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
    }
    const loopback = await call("POST", "/api/v1/oauth/applications", {
      token: partner.accessToken,
      body: {
        name: "Dev",
        redirectUris: ["http://127.0.0.1:8080/cb", "http://localhost:3000/cb"],
        scopes: ["contracts:read"],
      },
    });
    expect(loopback.status).toBe(201);
  });

  it("is the owner's alone: another user gets RES001, an API key AUTH003", async () => {
    const app = await registerApp(partner);
    for (const [method, body] of [
      ["GET", undefined],
      ["PATCH", { name: "Mine" }],
      ["DELETE", undefined],
    ] as const) {
      const res = await call(method, `/api/v1/oauth/applications/${app.id}`, { token: stranger.accessToken, body });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("RES001");
    }
    const key = await call("POST", "/api/v1/api-keys", {
      token: partner.accessToken,
      body: { name: "k", scopes: ["contracts:read"] },
    });
    const byKey = await call("POST", "/api/v1/oauth/applications", {
      token: key.body.data.secret,
      body: { name: "Via key", redirectUris: [REDIRECT], scopes: ["contracts:read"] },
    });
    expect(byKey.status).toBe(403);
    expect(byKey.body.error.code).toBe("AUTH003");
  });

  it("changes name, redirect URIs and scopes; refuses an invalid change; unknown id is RES001", async () => {
    const app = await registerApp(partner);
    const res = await call("PATCH", `/api/v1/oauth/applications/${app.id}`, {
      token: partner.accessToken,
      body: { name: "Renamed", scopes: ["contracts:read"] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: "Renamed", scopes: ["contracts:read"] });
    const bad = await call("PATCH", `/api/v1/oauth/applications/${app.id}`, {
      token: partner.accessToken,
      body: { redirectUris: ["ftp://x/cb"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    const unknown = await call("PATCH", "/api/v1/oauth/applications/oap_00000000000000000000", {
      token: partner.accessToken,
      body: { name: "x" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("RES001");
  });

  it("stops at the cap of 25 applications (RES002)", async () => {
    for (let i = 0; i < 25; i++) await registerApp(capped, { name: `App ${i}` });
    const res = await call("POST", "/api/v1/oauth/applications", {
      token: capped.accessToken,
      body: { name: "One too many", redirectUris: [REDIRECT], scopes: ["contracts:read"] },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
  }, 60_000);

  it("deleting an application kills its tokens at once", async () => {
    const app = await registerApp(partner);
    const tokens = await tokensFor(app, user);
    expect((await call("GET", "/api/v1/contracts", { token: tokens.access_token })).status).toBe(200);
    const del = await call("DELETE", `/api/v1/oauth/applications/${app.id}`, { token: partner.accessToken });
    expect(del.status).toBe(200);
    const after = await call("GET", "/api/v1/contracts", { token: tokens.access_token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("AUTH002");
    expect((await call("GET", `/api/v1/oauth/applications/${app.id}`, { token: partner.accessToken })).status).toBe(
      404,
    );
  });
});

describe("authorization code + PKCE", () => {
  it("happy path: the token carries the granted scopes, works on a scoped route and is refused outside them", async () => {
    const app = await registerApp(partner);
    const mine = await call("POST", "/api/v1/contracts", {
      token: user.accessToken,
      body: { title: "Partner-visible", type: "nda" },
    });
    expect(mine.status).toBe(201);
    const tokens = await tokensFor(app, user, "contracts:read");
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.scope).toBe("contracts:read");
    expect(tokens.access_token).toMatch(/^eoa_/);
    expect(tokens.refresh_token).toMatch(/^eor_/);
    const list = await call("GET", "/api/v1/contracts", { token: tokens.access_token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: { id: string }) => c.id)).toContain(mine.body.data.id);
    // Outside its scopes: escrows:read was registered but not requested; contracts:write never granted.
    for (const [method, path, body] of [
      ["GET", "/api/v1/escrows", undefined],
      ["POST", "/api/v1/contracts", { title: "x", type: "nda" }],
    ] as const) {
      const res = await call(method, path, { token: tokens.access_token, body });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe("AUTH003");
    }
    // Account-defining routes need the person, not a token.
    const keys = await call("GET", "/api/v1/api-keys", { token: tokens.access_token });
    expect(keys.status).toBe(403);
    expect(keys.body.error.code).toBe("AUTH003");
  });

  it("serves a consent page under a strict CSP naming the application and the scopes in words", async () => {
    const app = await registerApp(partner, { name: "<script>alert(1)</script> CRM" });
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const res = await fetchWorker(
      `/api/v1/oauth/authorize?${authorizeQuery(app, { state: "s", challenge, scope: "contracts:read" })}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    const page = await res.text();
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt; CRM");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("See your contracts, their signers and documents");
    expect(page).not.toContain("See your escrows");
  });

  it("a viewer's consent grants only the read scopes (requested ∩ registered ∩ role)", async () => {
    const app = await registerApp(partner, { scopes: ["contracts:read", "contracts:write"] });
    const tokens = await tokensFor(app, viewer);
    expect(tokens.scope).toBe("contracts:read");
  });

  it("refuses a wrong code_verifier (invalid_grant)", async () => {
    const app = await registerApp(partner);
    const { callback, state } = await consent(app, user);
    const params = oauth.validateAuthResponse(as, app.client, callback, state);
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      app.client,
      oauth.ClientSecretBasic(app.clientSecret),
      params,
      REDIRECT,
      oauth.generateRandomCodeVerifier(),
      http,
    );
    expect(await tokenError(oauth.processAuthorizationCodeResponse(as, app.client, res))).toEqual({
      error: "invalid_grant",
      status: 400,
    });
  });

  it("a replayed code is refused and the tokens it issued are revoked (RFC 6749 §4.1.2)", async () => {
    const app = await registerApp(partner);
    const { callback, verifier, state } = await consent(app, user);
    const params = oauth.validateAuthResponse(as, app.client, callback, state);
    const auth = oauth.ClientSecretBasic(app.clientSecret);
    const first = await oauth.processAuthorizationCodeResponse(
      as,
      app.client,
      await oauth.authorizationCodeGrantRequest(as, app.client, auth, params, REDIRECT, verifier, http),
    );
    expect((await call("GET", "/api/v1/contracts", { token: first.access_token })).status).toBe(200);
    const replay = await oauth.authorizationCodeGrantRequest(as, app.client, auth, params, REDIRECT, verifier, http);
    expect(await tokenError(oauth.processAuthorizationCodeResponse(as, app.client, replay))).toEqual({
      error: "invalid_grant",
      status: 400,
    });
    const after = await call("GET", "/api/v1/contracts", { token: first.access_token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("AUTH002");
    const refresh = await oauth.refreshTokenGrantRequest(as, app.client, auth, first.refresh_token!, http);
    expect((await tokenError(oauth.processRefreshTokenResponse(as, app.client, refresh))).error).toBe("invalid_grant");
  });

  it("never redirects to an unregistered redirect URI: page 400, decision VAL001", async () => {
    const app = await registerApp(partner);
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const query = authorizeQuery(app, { state: "s", challenge, redirectUri: "https://evil.example.net/cb" });
    const page = await fetchWorker(`/api/v1/oauth/authorize?${query}`, { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain("not registered");
    const decided = await call("POST", "/api/v1/oauth/authorize", {
      token: user.accessToken,
      body: { ...Object.fromEntries(query), decision: "approve" },
    });
    expect(decided.status).toBe(400);
    expect(decided.body.error.code).toBe("VAL001");
    const unknown = await call("POST", "/api/v1/oauth/authorize", {
      token: user.accessToken,
      body: { ...Object.fromEntries(query), client_id: "oap_00000000000000000000", decision: "approve" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("RES001");
  });

  it("refuses scope escalation back to the client (invalid_scope), and a missing PKCE (invalid_request)", async () => {
    const app = await registerApp(partner, { scopes: ["contracts:read"] });
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const state = oauth.generateRandomState();
    const page = await fetchWorker(
      `/api/v1/oauth/authorize?${authorizeQuery(app, { state, challenge, scope: "contracts:read escrows:write" })}`,
      {
        redirect: "manual",
      },
    );
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(
      await tokenError(Promise.resolve().then(() => oauth.validateAuthResponse(as, app.client, location, state))),
    ).toEqual({
      error: "invalid_scope",
      status: 0,
    });
    const noPkce = authorizeQuery(app, { state, challenge });
    noPkce.delete("code_challenge_method");
    const plain = await fetchWorker(`/api/v1/oauth/authorize?${noPkce}`, { redirect: "manual" });
    expect(new URL(plain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("a denial goes back as access_denied", async () => {
    const app = await registerApp(partner);
    const { callback, state } = await consent(app, user, { decision: "deny" });
    expect(
      await tokenError(Promise.resolve().then(() => oauth.validateAuthResponse(as, app.client, callback, state))),
    ).toEqual({
      error: "access_denied",
      status: 0,
    });
  });
});

describe("refresh, revocation and client credentials", () => {
  it("rotates refresh tokens; a reused one revokes the whole authorization", async () => {
    const app = await registerApp(partner);
    const auth = oauth.ClientSecretPost(app.clientSecret);
    const first = await tokensFor(app, user);
    const second = await oauth.processRefreshTokenResponse(
      as,
      app.client,
      await oauth.refreshTokenGrantRequest(as, app.client, auth, first.refresh_token!, http),
    );
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await call("GET", "/api/v1/contracts", { token: second.access_token })).status).toBe(200);
    const reuse = await oauth.refreshTokenGrantRequest(as, app.client, auth, first.refresh_token!, http);
    expect((await tokenError(oauth.processRefreshTokenResponse(as, app.client, reuse))).error).toBe("invalid_grant");
    const after = await call("GET", "/api/v1/contracts", { token: second.access_token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("AUTH002");
  });

  it("the user lists and revokes an authorization; its tokens die at once", async () => {
    const app = await registerApp(partner, { name: "Revocable" });
    const tokens = await tokensFor(app, user, "contracts:read");
    const list = await call("GET", "/api/v1/oauth/authorizations?perPage=100", { token: user.accessToken });
    expect(list.status).toBe(200);
    const ofApp = list.body.data.filter((a: { application: { id: string } }) => a.application.id === app.id);
    expect(ofApp).toHaveLength(1);
    const [authz] = ofApp;
    expect(authz).toMatchObject({
      application: { id: app.id, name: "Revocable" },
      kind: "authorization_code",
      scopes: ["contracts:read"],
    });
    const notTheirs = await call("DELETE", `/api/v1/oauth/authorizations/${authz.id}`, { token: stranger.accessToken });
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.body.error.code).toBe("RES001");
    const revoked = await call("DELETE", `/api/v1/oauth/authorizations/${authz.id}`, { token: user.accessToken });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revokedAt).not.toBeNull();
    const after = await call("GET", "/api/v1/contracts", { token: tokens.access_token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("AUTH002");
    const remaining = (
      await call("GET", "/api/v1/oauth/authorizations?perPage=100", { token: user.accessToken, headers: {} })
    ).body.data;
    expect(remaining.filter((a: { id: string }) => a.id === authz.id)).toEqual([]);
    const tokenAccess = await call("GET", "/api/v1/oauth/authorizations", { token: tokens.access_token });
    expect(tokenAccess.status).toBe(401);
  });

  it("RFC 7009: revoking an access token ends it; revoking a refresh token ends the authorization", async () => {
    const app = await registerApp(partner);
    const auth = oauth.ClientSecretBasic(app.clientSecret);
    const tokens = await tokensFor(app, user);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, app.client, auth, tokens.access_token, http),
    );
    expect((await call("GET", "/api/v1/contracts", { token: tokens.access_token })).status).toBe(401);
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      app.client,
      await oauth.refreshTokenGrantRequest(as, app.client, auth, tokens.refresh_token!, http),
    );
    expect((await call("GET", "/api/v1/contracts", { token: refreshed.access_token })).status).toBe(200);
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, app.client, auth, refreshed.refresh_token!, http),
    );
    expect((await call("GET", "/api/v1/contracts", { token: refreshed.access_token })).status).toBe(401);
    // Unknown tokens are answered like success (RFC 7009 §2.2).
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, app.client, auth, "eoa_unknown", http));
  });

  it("client credentials act for the owner's own account within the registered scopes, without a refresh token", async () => {
    const owner = stranger;
    const app = await registerApp(owner, { scopes: ["contracts:read"] });
    const own = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: { title: "Owner's", type: "nda" },
    });
    const auth = oauth.ClientSecretPost(app.clientSecret);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      app.client,
      await oauth.clientCredentialsGrantRequest(as, app.client, auth, {}, http),
    );
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe("contracts:read");
    const list = await call("GET", "/api/v1/contracts", { token: tokens.access_token });
    expect(list.body.data.map((c: { id: string }) => c.id)).toContain(own.body.data.id);
    const write = await call("POST", "/api/v1/contracts", {
      token: tokens.access_token,
      body: { title: "x", type: "nda" },
    });
    expect(write.body.error.code).toBe("AUTH003");
    const escalate = await oauth.clientCredentialsGrantRequest(
      as,
      app.client,
      auth,
      { scope: "contracts:write" },
      http,
    );
    expect((await tokenError(oauth.processClientCredentialsResponse(as, app.client, escalate))).error).toBe(
      "invalid_scope",
    );
  });
});

describe("what a token can never do", () => {
  it("narrowing the application's scopes narrows tokens already issued", async () => {
    const app = await registerApp(partner, { scopes: ["contracts:read", "escrows:read"] });
    const tokens = await tokensFor(app, user);
    expect(tokens.scope).toBe("contracts:read escrows:read");
    expect((await call("GET", "/api/v1/escrows", { token: tokens.access_token })).status).toBe(200);
    await call("PATCH", `/api/v1/oauth/applications/${app.id}`, {
      token: partner.accessToken,
      body: { scopes: ["contracts:read"] },
    });
    const narrowed = await call("GET", "/api/v1/escrows", { token: tokens.access_token });
    expect(narrowed.status).toBe(403);
    expect(narrowed.body.error.code).toBe("AUTH003");
    expect((await call("GET", "/api/v1/contracts", { token: tokens.access_token })).status).toBe(200);
  });

  it("a token cannot consent for another application, nor register one (AUTH003)", async () => {
    const app = await registerApp(partner);
    const tokens = await tokensFor(app, user);
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const consentByToken = await call("POST", "/api/v1/oauth/authorize", {
      token: tokens.access_token,
      body: { ...Object.fromEntries(authorizeQuery(app, { state: "s", challenge })), decision: "approve" },
    });
    expect(consentByToken.status).toBe(403);
    expect(consentByToken.body.error.code).toBe("AUTH003");
    const register = await call("POST", "/api/v1/oauth/applications", {
      token: tokens.access_token,
      body: { name: "Via token", redirectUris: [REDIRECT], scopes: ["contracts:read"] },
    });
    expect(register.status).toBe(403);
    expect(register.body.error.code).toBe("AUTH003");
  });
});

describe("token endpoint errors (RFC 6749 §5.2, not the envelope)", () => {
  async function post(form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetchWorker("/api/v1/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }

  it("answers invalid_client (401 + Basic challenge), unsupported_grant_type and invalid_request", async () => {
    const app = await registerApp(partner);
    const wrong = await post(
      { grant_type: "client_credentials" },
      { authorization: `Basic ${btoa(`${app.clientId}:ecs_wrong`)}` },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe("invalid_client");
    expect(wrong.body.success).toBeUndefined();
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(wrong.headers.get("cache-control")).toBe("no-store");
    const creds = { client_id: app.clientId, client_secret: app.clientSecret };
    expect((await post({ grant_type: "password", ...creds })).body.error).toBe("unsupported_grant_type");
    const missing = await post({ grant_type: "authorization_code", ...creds });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
    const both = await post(
      { grant_type: "client_credentials", client_secret: app.clientSecret },
      { authorization: `Basic ${btoa(`${app.clientId}:${app.clientSecret}`)}` },
    );
    expect(both.body.error).toBe("invalid_request");
    expect(
      (
        await post({
          grant_type: "authorization_code",
          code: "eoc_nope",
          redirect_uri: REDIRECT,
          code_verifier: "x".repeat(43),
          ...creds,
        })
      ).body.error,
    ).toBe("invalid_grant");
  });
});

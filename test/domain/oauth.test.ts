// Pure rules of the partner OAuth 2 authorization server: redirect URIs, scopes, PKCE and client authentication.
import { describe, expect, it } from "vitest";
import {
  OAuthError,
  PARTNER_SCOPES,
  SCOPE_DESCRIPTIONS,
  grantableScopes,
  narrowedScopes,
  parseBasicCredentials,
  parseScopeParam,
  pkceVerifierMatches,
  redirectUriProblem,
  redirectUriRegistered,
} from "../../src/domain/oauth";

describe("redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7.3)", () => {
  it("accepts https and http on a loopback host only", () => {
    expect(redirectUriProblem("https://partner.example.com/cb")).toBeNull();
    expect(redirectUriProblem("http://127.0.0.1:5173/cb")).toBeNull();
    expect(redirectUriProblem("http://[::1]/cb")).toBeNull();
    expect(redirectUriProblem("http://localhost:3000/cb")).toBeNull();
    expect(redirectUriProblem("http://partner.example.com/cb")).toMatch(/https/);
    expect(redirectUriProblem("http://10.0.0.1/cb")).toMatch(/https/);
    expect(redirectUriProblem("javascript:alert(1)")).toMatch(/https/);
    expect(redirectUriProblem("/relative")).toMatch(/absolute/);
  });

  it("refuses fragments and user info", () => {
    expect(redirectUriProblem("https://partner.example.com/cb#x")).toMatch(/fragment/);
    expect(redirectUriProblem("https://user:pw@partner.example.com/cb")).toMatch(/user info/);
  });

  it("matches exactly, except the port of a loopback redirect", () => {
    const registered = ["https://partner.example.com/cb", "http://127.0.0.1/cb"];
    expect(redirectUriRegistered(registered, "https://partner.example.com/cb")).toBe(true);
    expect(redirectUriRegistered(registered, "https://partner.example.com/cb/")).toBe(false);
    expect(redirectUriRegistered(registered, "https://partner.example.com/cb?x=1")).toBe(false);
    expect(redirectUriRegistered(registered, "https://partner.example.com:444/cb")).toBe(false);
    expect(redirectUriRegistered(registered, "http://127.0.0.1:49152/cb")).toBe(true);
    expect(redirectUriRegistered(registered, "http://127.0.0.1:49152/other")).toBe(false);
  });
});

describe("scopes", () => {
  it("parses the space-delimited parameter (RFC 6749 §3.3)", () => {
    expect(parseScopeParam(undefined)).toEqual([]);
    expect(parseScopeParam("contracts:read escrows:read contracts:read")).toEqual(["contracts:read", "escrows:read"]);
    expect(parseScopeParam("contracts:read  escrows:read")).toBeNull();
    expect(parseScopeParam('a"b')).toBeNull();
  });

  it("grants requested ∩ registered ∩ what the role may grant", () => {
    const registered = ["contracts:read", "contracts:write"];
    expect(grantableScopes({ requested: ["contracts:read"], registered, role: "user" })).toEqual(["contracts:read"]);
    expect(grantableScopes({ requested: [], registered, role: "user" })).toEqual(registered);
    // A viewer's consent cannot hand out :write.
    expect(grantableScopes({ requested: [], registered, role: "viewer" })).toEqual(["contracts:read"]);
  });

  it("refuses scope escalation instead of narrowing it", () => {
    const attempt = () =>
      grantableScopes({ requested: ["contracts:read", "escrows:write"], registered: ["contracts:read"], role: "user" });
    expect(attempt).toThrow(OAuthError);
    expect(attempt).toThrow(/escrows:write/);
    expect(() =>
      grantableScopes({ requested: ["contracts:write"], registered: ["contracts:write"], role: "viewer" }),
    ).toThrow(expect.objectContaining({ error: "invalid_scope" }));
  });

  it("narrows a refresh only to a subset", () => {
    expect(narrowedScopes(["contracts:read", "escrows:read"], ["escrows:read"])).toEqual(["escrows:read"]);
    expect(narrowedScopes(["contracts:read"], [])).toEqual(["contracts:read"]);
    expect(() => narrowedScopes(["contracts:read"], ["contracts:write"])).toThrow(
      expect.objectContaining({ error: "invalid_scope" }),
    );
  });

  it("describes every partner scope in words and offers no admin scope", () => {
    for (const scope of PARTNER_SCOPES) expect(SCOPE_DESCRIPTIONS[scope]).toBeTruthy();
    expect(PARTNER_SCOPES.some((s) => s.startsWith("admin:"))).toBe(false);
  });
});

describe("PKCE S256 (RFC 7636)", () => {
  it("verifies the RFC 7636 Appendix B example", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    expect(pkceVerifierMatches(verifier, challenge)).toBe(true);
    expect(pkceVerifierMatches(verifier.replace("d", "e"), challenge)).toBe(false);
    expect(pkceVerifierMatches("short", challenge)).toBe(false);
  });
});

describe("client_secret_basic (RFC 6749 §2.3.1)", () => {
  it("form-decodes the id and secret", () => {
    const header = `Basic ${btoa("oap_abc:ecs_a%2Bb%3Ac")}`;
    expect(parseBasicCredentials(header)).toEqual({ clientId: "oap_abc", clientSecret: "ecs_a+b:c" });
    expect(parseBasicCredentials("Bearer x")).toBeNull();
    expect(parseBasicCredentials(`Basic ${btoa("no-colon")}`)).toBeNull();
  });
});

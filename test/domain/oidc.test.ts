// The pure rules of provider sign-in: the linking policy, Microsoft's tenant issuer, email assertions, allow-lists.
import { describe, expect, it } from "vitest";
import {
  acceptsDiscoveredIssuer,
  allowedRedirectUri,
  allowedReturnTo,
  assertedEmail,
  decideSignIn,
  mayUnlink,
  tenantIssuer,
} from "../../src/domain/oidc";

const TEMPLATE = "https://login.microsoftonline.com/{tenantid}/v2.0";
const TID = "9188040d-6c67-4c5b-b112-36a304b66dad";

describe("decideSignIn: an email address is not an identity until it is verified", () => {
  const verified = { email: "ada@example.com", verified: true };
  const unverified = { email: "ada@example.com", verified: false };

  it("a linked identity signs in to its owner whatever the email says", () => {
    expect(
      decideSignIn({
        identityOwner: { id: "usr_1" },
        emailHolder: { id: "usr_2", emailVerified: true },
        assertion: unverified,
      }),
    ).toEqual({
      kind: "sign_in",
      userId: "usr_1",
    });
  });

  it("links an existing account only when both sides verified the address", () => {
    expect(
      decideSignIn({ identityOwner: null, emailHolder: { id: "usr_2", emailVerified: true }, assertion: verified }),
    ).toEqual({
      kind: "link",
      userId: "usr_2",
    });
    expect(
      decideSignIn({ identityOwner: null, emailHolder: { id: "usr_2", emailVerified: true }, assertion: unverified }),
    ).toEqual({
      kind: "refuse",
      reason: "email_not_verified",
    });
    expect(
      decideSignIn({ identityOwner: null, emailHolder: { id: "usr_2", emailVerified: false }, assertion: unverified }),
    ).toEqual({
      kind: "refuse",
      reason: "email_not_verified",
    });
  });

  it("a verified assertion replaces an unverified registration of the address; a new address creates an account", () => {
    expect(
      decideSignIn({ identityOwner: null, emailHolder: { id: "usr_3", emailVerified: false }, assertion: verified }),
    ).toEqual({
      kind: "create",
      emailVerified: true,
      replaceUnverified: "usr_3",
    });
    expect(decideSignIn({ identityOwner: null, emailHolder: null, assertion: unverified })).toEqual({
      kind: "create",
      emailVerified: false,
      replaceUnverified: null,
    });
    expect(
      decideSignIn({ identityOwner: null, emailHolder: null, assertion: { email: null, verified: false } }),
    ).toEqual({
      kind: "refuse",
      reason: "no_email",
    });
  });
});

describe("Microsoft multi-tenant issuer (tenant template filled with tid)", () => {
  it("fills the template with a GUID tid and refuses anything else", () => {
    expect(tenantIssuer(TEMPLATE, TID)).toBe(`https://login.microsoftonline.com/${TID}/v2.0`);
    expect(tenantIssuer(TEMPLATE, TID.toUpperCase())).toBe(`https://login.microsoftonline.com/${TID}/v2.0`);
    expect(tenantIssuer(TEMPLATE, undefined)).toBeNull();
    expect(tenantIssuer(TEMPLATE, "evil.example/x")).toBeNull();
    expect(tenantIssuer("https://accounts.google.com", undefined)).toBe("https://accounts.google.com");
  });

  it("accepts a discovered issuer that differs from the authority only as a same-origin template", () => {
    expect(acceptsDiscoveredIssuer("https://login.microsoftonline.com/common/v2.0", TEMPLATE)).toBe(true);
    expect(acceptsDiscoveredIssuer("https://accounts.google.com", "https://accounts.google.com")).toBe(true);
    expect(acceptsDiscoveredIssuer("https://accounts.google.com", "https://evil.example")).toBe(false);
    expect(
      acceptsDiscoveredIssuer("https://login.microsoftonline.com/common/v2.0", "https://evil.example/{tenantid}/v2.0"),
    ).toBe(false);
  });
});

describe("assertedEmail", () => {
  it("reads email_verified (boolean or the string some providers send) and normalises the address", () => {
    expect(assertedEmail("google", { email: " Ada@Example.COM ", email_verified: true })).toEqual({
      email: "ada@example.com",
      verified: true,
    });
    expect(assertedEmail("linkedin", { email: "ada@example.com", email_verified: "true" })).toEqual({
      email: "ada@example.com",
      verified: true,
    });
    expect(assertedEmail("google", { email: "ada@example.com" })).toEqual({
      email: "ada@example.com",
      verified: false,
    });
    expect(assertedEmail("google", { email: "not an email", email_verified: true })).toEqual({
      email: null,
      verified: false,
    });
  });

  it("Microsoft: only xms_edov vouches for the email (it sends no email_verified)", () => {
    expect(assertedEmail("microsoft", { email: "ada@contoso.com" }).verified).toBe(false);
    expect(assertedEmail("microsoft", { email: "ada@contoso.com", xms_edov: true }).verified).toBe(true);
    expect(assertedEmail("google", { email: "ada@contoso.com", xms_edov: true }).verified).toBe(false);
  });
});

describe("allow-lists and unlinking", () => {
  it("redirect URIs match exactly, with {provider} filled in", () => {
    const list = [
      "https://app.example/auth/{provider}/done",
      "https://api.example/api/v1/auth/oauth/{provider}/callback",
    ];
    expect(allowedRedirectUri(list, "google", "https://app.example/auth/google/done")).toBe(true);
    expect(allowedRedirectUri(list, "google", "https://app.example/auth/linkedin/done")).toBe(false);
    expect(allowedRedirectUri(list, "google", "https://app.example/auth/google/done/../x")).toBe(false);
  });

  it("returnTo must be an http(s) URL on an allowed origin, without credentials", () => {
    const origins = ["https://app.example"];
    expect(allowedReturnTo(origins, "https://app.example/after?x=1")).toBe(true);
    expect(allowedReturnTo(origins, "https://app.example.evil.com/")).toBe(false);
    expect(allowedReturnTo(origins, "https://user@app.example/")).toBe(false);
    expect(allowedReturnTo(origins, "javascript:alert(1)")).toBe(false);
    expect(allowedReturnTo(origins, "/relative")).toBe(false);
  });

  it("an identity may go only while a password or another identity remains", () => {
    expect(mayUnlink({ hasPassword: false, identityCount: 1 })).toBe(false);
    expect(mayUnlink({ hasPassword: true, identityCount: 1 })).toBe(true);
    expect(mayUnlink({ hasPassword: false, identityCount: 2 })).toBe(true);
  });
});

// Pure rules of Escra's partner OAuth 2 authorization server: redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7.3),
// scopes (RFC 6749 §3.3) and how far a grant may reach, PKCE S256 (RFC 7636 §4.6), client authentication
// (RFC 6749 §2.3.1) and the lifetimes of codes and tokens. No bindings: tested in Node (test/domain/oauth.test.ts).
import ipaddr from "ipaddr.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { SCOPES, isAdminScope, isScope, roleMayGrant, type GlobalRole, type Scope } from "./scopes";

/** An authorization code is single-use and short-lived: RFC 6749 §4.1.2 recommends at most 10 minutes. */
export const CODE_TTL_SECONDS = 600;
/** Access tokens `eoa_…`: checked against D1 on every request, so revocation is immediate regardless. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Each refresh token `eor_…` lives this long; every use rotates it (RFC 9700 §4.14.2). */
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Applications one user may hold at once. */
export const MAX_APPLICATIONS = 25;
/** Registered redirect URIs per application. */
export const MAX_REDIRECT_URIS = 10;

export const ACCESS_TOKEN_MARKER = "eoa_";
export const REFRESH_TOKEN_MARKER = "eor_";
export const CODE_MARKER = "eoc_";
export const CLIENT_SECRET_MARKER = "ecs_";

/** Scopes a partner application may register and be granted: everything but `admin:*` (admins act in person). */
export const PARTNER_SCOPES = SCOPES.filter((s) => !isAdminScope(s)) as Exclude<Scope, `admin:${string}`>[];
export type PartnerScope = (typeof PARTNER_SCOPES)[number];

/** What each scope lets an application do, in the words the consent page shows. */
export const SCOPE_DESCRIPTIONS: Record<PartnerScope, string> = {
  "contracts:read": "See your contracts, their signers and documents",
  "contracts:write": "Create, edit, send and cancel contracts for you",
  "templates:read": "See your contract templates",
  "templates:write": "Create and change your contract templates",
  "escrows:read": "See your escrows and their payments",
  "escrows:write": "Open, fund, confirm and dispute escrows for you",
  "listings:read": "See your marketplace listings",
  "listings:write": "Create and change your marketplace listings",
  "webhooks:read": "See your webhook endpoints and deliveries",
  "webhooks:write": "Create and change your webhook endpoints",
  "notifications:read": "Read your notifications",
  "notifications:write": "Mark your notifications as read",
  "reports:read": "See your reports",
  "analytics:read": "See your dashboards and usage figures",
  "reports:write": "Run reports and exports of your data",
  "teams:read": "See your teams and their members",
  "teams:write": "Manage your teams and their members",
  "profile:read": "See your profile (name, email, company)",
  "profile:write": "Change your profile",
  "audit:read": "Read your audit log",
};

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "access_denied"
  | "server_error";

/** An error in OAuth's own format (RFC 6749 §4.1.2.1 and §5.2), never our envelope. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = "OAuthError";
  }

  /** HTTP status at the token/revocation endpoints: 401 for client authentication, 400 for the rest (§5.2). */
  get status(): 400 | 401 {
    return this.error === "invalid_client" ? 401 : 400;
  }

  toJSON() {
    return { error: this.error, error_description: this.description };
  }
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === "localhost") return true;
  const text = hostname.replace(/^\[|\]$/g, "");
  return ipaddr.isValid(text) && ipaddr.parse(text).range() === "loopback";
}

/**
 * Why a redirect URI cannot be registered, or null when it can: an absolute `https` URI, or `http` on a loopback
 * host for native/development clients (RFC 8252 §7.3: 127.0.0.1, [::1]; also `localhost`), without a fragment
 * (RFC 6749 §3.1.2) or user info. At most 2,000 characters.
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length > 2000) return "at most 2,000 characters";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "must be an absolute URI";
  }
  if (url.hash !== "" || uri.includes("#")) return "must not contain a fragment (RFC 6749 §3.1.2)";
  if (url.username !== "" || url.password !== "") return "must not contain user info";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return null;
  return "must use https (or http on a loopback address for development, RFC 8252 §7.3)";
}

/**
 * Whether a redirect URI presented in an authorization request is one the application registered: an exact string
 * match, except that on a loopback host the port may differ (RFC 8252 §7.3: native apps bind an ephemeral port).
 */
export function redirectUriRegistered(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  let url: URL;
  try {
    url = new URL(presented);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || !isLoopbackHost(url.hostname)) return false;
  const portless = (u: URL) => `${u.protocol}//${u.hostname}${u.pathname}${u.search}`;
  return registered.some((r) => {
    try {
      return portless(new URL(r)) === portless(url);
    } catch {
      return false;
    }
  });
}

/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_PARAM = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;

/** The scope tokens of a `scope` parameter (deduplicated), [] when absent, or null when malformed. */
export function parseScopeParam(raw: string | undefined | null): string[] | null {
  if (raw === undefined || raw === null || raw === "") return [];
  if (raw.length > 1000 || !SCOPE_PARAM.test(raw)) return null;
  return [...new Set(raw.split(" "))];
}

export function formatScopes(scopes: readonly string[]): string {
  return scopes.join(" ");
}

/**
 * The scopes an application receives: requested ∩ registered ∩ what the user's role may grant.
 * An empty request means every registered scope (RFC 6749 §3.3 lets the server default).
 * @throws OAuthError invalid_scope when a requested scope is unknown or beyond the application's registration
 *   (scope escalation is refused, not silently narrowed), or when nothing grantable remains
 */
export function grantableScopes(input: {
  requested: readonly string[];
  registered: readonly string[];
  role: GlobalRole;
}): Scope[] {
  const requested = input.requested.length > 0 ? input.requested : input.registered;
  const beyond = requested.filter((s) => !isScope(s) || !input.registered.includes(s));
  if (beyond.length > 0) {
    throw new OAuthError("invalid_scope", `Not registered for this application: ${beyond.join(" ")}`);
  }
  // A viewer's consent cannot hand out :write; admin scopes are never registered.
  const granted = (requested as Scope[]).filter((s) => roleMayGrant(input.role, s));
  if (granted.length === 0) {
    throw new OAuthError("invalid_scope", "None of the requested scopes can be granted by this user");
  }
  return granted;
}

/**
 * Scopes for a narrower token of an existing grant (refresh with `scope`, RFC 6749 §6): a subset, never more.
 * @throws OAuthError invalid_scope when `requested` holds a scope the grant does not
 */
export function narrowedScopes(granted: readonly Scope[], requested: readonly string[]): Scope[] {
  if (requested.length === 0) return [...granted];
  const beyond = requested.filter((s) => !(granted as readonly string[]).includes(s));
  if (beyond.length > 0) throw new OAuthError("invalid_scope", `Beyond the original grant: ${beyond.join(" ")}`);
  return requested as Scope[];
}

/** RFC 7636 §4.1: code_verifier = 43*128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** RFC 7636 §4.2: an S256 challenge is BASE64URL of 32 bytes, 43 characters without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
export function pkceVerifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  const computed = base64Url(sha256(utf8ToBytes(verifier)));
  // Both are public-length strings; the comparison leaks nothing an attacker could use (the challenge is public).
  return computed === challenge;
}

/**
 * Client credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1: client id and secret are each
 * application/x-www-form-urlencoded, then joined by ':' and base64-encoded, RFC 7617).
 * @returns null when the header is not Basic or is malformed
 */
export function parseBasicCredentials(header: string): { clientId: string; clientSecret: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

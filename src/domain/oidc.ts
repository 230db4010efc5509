// Rules of "Sign in with Google, Microsoft, LinkedIn" (OpenID Connect): which providers exist and their defaults,
// whose email assertion counts as verified, how a Microsoft multi-tenant issuer is checked, and the linking policy
// that decides whether a provider's identity signs into, links to, or creates an account. Pure: no bindings.

export const OIDC_PROVIDERS = ["google", "microsoft", "linkedin"] as const;
export type OidcProvider = (typeof OIDC_PROVIDERS)[number];

export function isOidcProvider(name: string): name is OidcProvider {
  return (OIDC_PROVIDERS as readonly string[]).includes(name);
}

/** How the Worker authenticates to the provider's token endpoint (RFC 6749 §2.3.1), as each provider documents. */
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post";

export interface ProviderDefaults {
  /** Where discovery starts (`<issuer>/.well-known/openid-configuration`); overridable per environment. */
  issuer: string;
  scope: string;
  clientAuth: ClientAuthMethod;
  label: string;
}

/**
 * Sources: Google "OpenID Connect" (accounts.google.com); Microsoft identity platform "OpenID Connect on the
 * Microsoft identity platform" (the `common` authority, whose metadata names the issuer template
 * `https://login.microsoftonline.com/{tenantid}/v2.0`); LinkedIn "Sign In with LinkedIn using OpenID Connect"
 * (issuer https://www.linkedin.com/oauth, scopes openid profile email, client credentials in the POST body).
 */
export const PROVIDER_DEFAULTS: Record<OidcProvider, ProviderDefaults> = {
  google: {
    issuer: "https://accounts.google.com",
    scope: "openid email profile",
    clientAuth: "client_secret_basic",
    label: "Google",
  },
  microsoft: {
    issuer: "https://login.microsoftonline.com/common/v2.0",
    scope: "openid email profile",
    clientAuth: "client_secret_post",
    label: "Microsoft",
  },
  linkedin: {
    issuer: "https://www.linkedin.com/oauth",
    scope: "openid profile email",
    clientAuth: "client_secret_post",
    label: "LinkedIn",
  },
};

/** Lifetimes: a pending authorization flow, and the MFA challenge a provider sign-in answers. */
export const OIDC_FLOW_TTL_SECONDS = 10 * 60;
export const LOGIN_CHALLENGE_TTL_SECONDS = 5 * 60;
export const LOGIN_CHALLENGE_MAX_ATTEMPTS = 5;

export const TENANT_PLACEHOLDER = "{tenantid}";
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether discovery's `issuer` may differ from the configured authority: only a multi-tenant template (Microsoft's
 * `common`/`organizations` metadata answers `https://login.microsoftonline.com/{tenantid}/v2.0`) on the same origin.
 * Anything else must be equal (OpenID Connect Discovery 1.0 §4.3).
 */
export function acceptsDiscoveredIssuer(authority: string, discovered: string): boolean {
  if (discovered === authority) return true;
  if (!discovered.includes(TENANT_PLACEHOLDER)) return false;
  try {
    return new URL(authority).origin === new URL(discovered.replace(TENANT_PLACEHOLDER, "x")).origin;
  } catch {
    return false;
  }
}

/**
 * The issuer an ID token must carry under a multi-tenant template: the template with `{tenantid}` replaced by the
 * token's own `tid` claim (Microsoft: "Validate the issuer" — iss must equal the template filled with tid).
 * @param template the discovered issuer, e.g. `https://login.microsoftonline.com/{tenantid}/v2.0`
 * @param tid the ID token's `tid` claim (a GUID)
 * @returns the expected issuer, or null when `tid` is missing or not a GUID (the token is refused)
 */
export function tenantIssuer(template: string, tid: unknown): string | null {
  if (!template.includes(TENANT_PLACEHOLDER)) return template;
  if (typeof tid !== "string" || !TENANT_ID.test(tid)) return null;
  return template.replace(TENANT_PLACEHOLDER, tid.toLowerCase());
}

/** The email a provider asserted and whether it vouches that the address belongs to the person. */
export interface EmailAssertion {
  email: string | null;
  verified: boolean;
}

/**
 * Reads the email claims of verified ID token claims (OpenID Connect Core §5.1: `email`, `email_verified`).
 * Microsoft sends no `email_verified`; its optional claim `xms_edov` ("email domain owner verified") is the one
 * assertion it documents, so an email counts as verified there only with `xms_edov: true`.
 * @returns the lower-cased, trimmed email (or null when absent or malformed) and whether it counts as verified
 */
export function assertedEmail(provider: OidcProvider, claims: Record<string, unknown>): EmailAssertion {
  const raw = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  const email = raw.length > 0 && raw.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw) ? raw : null;
  const truthy = (v: unknown) => v === true || v === "true";
  const verified =
    email !== null && (truthy(claims.email_verified) || (provider === "microsoft" && truthy(claims.xms_edov)));
  return { email, verified };
}

/** What the callback found in D1 for a sign-in (not a link): the identity's owner and the email's holder. */
export interface SignInFacts {
  /** The user already linked to this (provider, issuer, subject), if any and not erased. */
  identityOwner: { id: string } | null;
  /** The account holding the asserted email, if any and not erased. */
  emailHolder: { id: string; emailVerified: boolean } | null;
  assertion: EmailAssertion;
}

export type SignInDecision =
  | { kind: "sign_in"; userId: string }
  | { kind: "link"; userId: string }
  | { kind: "create"; emailVerified: boolean; replaceUnverified: string | null }
  | { kind: "refuse"; reason: "no_email" | "email_not_verified" | "account_email_not_verified" };

/**
 * The linking policy (DESIGN.md "an email address is not an identity until it is verified"):
 * - a known identity signs in to its user;
 * - an existing account is linked only when the provider asserts a verified email AND the account verified it too;
 * - an account whose address is unverified is a registration nobody proved: a verified assertion replaces it,
 *   like a registration does (API.md), an unverified one is refused;
 * - otherwise a new account is created, its email verified only if the provider asserted it;
 * - an asserted-but-unverified email held by any account is refused (log in and link explicitly instead).
 */
export function decideSignIn(facts: SignInFacts): SignInDecision {
  if (facts.identityOwner) return { kind: "sign_in", userId: facts.identityOwner.id };
  const { email, verified } = facts.assertion;
  if (email === null) return { kind: "refuse", reason: "no_email" };
  const holder = facts.emailHolder;
  if (!holder) return { kind: "create", emailVerified: verified, replaceUnverified: null };
  if (!verified) return { kind: "refuse", reason: "email_not_verified" };
  if (holder.emailVerified) return { kind: "link", userId: holder.id };
  return { kind: "create", emailVerified: true, replaceUnverified: holder.id };
}

/** A user may unlink an identity only if another way to sign in remains: a password or another identity. */
export function mayUnlink(account: { hasPassword: boolean; identityCount: number }): boolean {
  return account.hasPassword || account.identityCount > 1;
}

/**
 * Whether `candidate` is one of the allow-listed redirect URIs (exact match after `{provider}` is filled in, as
 * OAuth 2.0 Security BCP §4.1.3 asks: no prefix or wildcard matching).
 */
export function allowedRedirectUri(allowList: readonly string[], provider: OidcProvider, candidate: string): boolean {
  return allowList.some((entry) => entry.replaceAll("{provider}", provider) === candidate);
}

/** Whether `returnTo` is an absolute http(s) URL on one of the allowed origins (no open redirect). */
export function allowedReturnTo(origins: readonly string[], returnTo: string): boolean {
  let url: URL;
  try {
    url = new URL(returnTo);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  if (url.username || url.password) return false;
  return origins.some((origin) => origin === url.origin);
}

// The OpenID Connect relying party (oauth4webapi): per-environment provider settings, discovery (cached per
// isolate), the authorization request (code flow + PKCE S256, state, nonce) and the callback's verification —
// code exchange, ID token issuer/audience/nonce/expiry checks and its signature against the provider's JWKS.
import * as oauth from "oauth4webapi";
import { decodeJwt } from "jose";
import type { Bindings } from "../env";
import { ApiError } from "./errors";
import { log } from "./request-context";
import {
  OIDC_PROVIDERS,
  PROVIDER_DEFAULTS,
  TENANT_PLACEHOLDER,
  acceptsDiscoveredIssuer,
  tenantIssuer,
  type ClientAuthMethod,
  type OidcProvider,
} from "../domain/oidc";

/** One provider's settings in this environment (vars `OIDC_<NAME>_ISSUER`, `_CLIENT_ID`, secret `_CLIENT_SECRET`). */
export interface ProviderConfig {
  provider: OidcProvider;
  /** Where discovery starts; for Microsoft the authority (`…/common/v2.0`), whose metadata names a tenant template. */
  authority: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  clientAuth: ClientAuthMethod;
}

type OidcVars = Partial<Record<`OIDC_${Uppercase<OidcProvider>}_${"ISSUER" | "CLIENT_ID" | "CLIENT_SECRET"}`, string>>;

/** The provider's settings, or null when the environment does not configure it (then it is absent from the API). */
export function providerConfig(env: Bindings, provider: OidcProvider): ProviderConfig | null {
  const vars = env as unknown as OidcVars;
  const key = provider.toUpperCase() as Uppercase<OidcProvider>;
  const clientId = vars[`OIDC_${key}_CLIENT_ID`]?.trim();
  const clientSecret = vars[`OIDC_${key}_CLIENT_SECRET`]?.trim();
  if (!clientId || !clientSecret) return null;
  const defaults = PROVIDER_DEFAULTS[provider];
  return {
    provider,
    authority: vars[`OIDC_${key}_ISSUER`]?.trim() || defaults.issuer,
    clientId,
    clientSecret,
    scope: defaults.scope,
    clientAuth: defaults.clientAuth,
  };
}

/** The providers this environment configures, in a stable order. */
export function enabledProviders(env: Bindings): OidcProvider[] {
  return OIDC_PROVIDERS.filter((p) => providerConfig(env, p) !== null);
}

/**
 * The allow-listed redirect URIs (`OIDC_REDIRECT_URIS`, comma-separated, `{provider}` filled in); the first is the
 * default. Unset: the API's own callback under PUBLIC_BASE_URL.
 */
export function redirectUriAllowList(env: Bindings): string[] {
  const listed = (env.OIDC_REDIRECT_URIS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return listed.length > 0 ? listed : [`${env.PUBLIC_BASE_URL}/api/v1/auth/oauth/{provider}/callback`];
}

/** Origins `returnTo` may point at: `OIDC_RETURN_TO_ORIGINS`, else ALLOWED_ORIGINS (the frontends CORS admits). */
export function returnToOrigins(env: Bindings): string[] {
  const raw = env.OIDC_RETURN_TO_ORIGINS ?? env.ALLOWED_ORIGINS ?? "";
  return raw
    .split(",")
    .map((s) => s.trim().replace(/\/+$/, ""))
    .filter(Boolean);
}

/** http:// issuers (a loopback test provider) are allowed only outside production and only when asked for. */
function insecureAllowed(env: Bindings): boolean {
  return env.ENVIRONMENT !== "production" && env.OIDC_ALLOW_INSECURE_ISSUERS === "true";
}

function httpOptions(env: Bindings) {
  return { [oauth.allowInsecureRequests]: insecureAllowed(env), signal: AbortSignal.timeout(10_000) };
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const discovered = new Map<string, { as: oauth.AuthorizationServer; until: number }>();
const jwksCaches = new Map<string, oauth.JWKSCacheInput>();

/**
 * The provider's metadata (OpenID Connect Discovery 1.0), cached per isolate for an hour.
 * @throws ApiError PROC001 when the provider cannot be reached or answers malformed/mismatched metadata
 */
async function authorizationServer(env: Bindings, config: ProviderConfig): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(config.authority);
  if (cached && cached.until > Date.now()) return cached.as;
  try {
    const authority = new URL(config.authority);
    const response = await oauth.discoveryRequest(authority, { algorithm: "oidc", ...httpOptions(env) });
    const issuer = (
      (await response
        .clone()
        .json()
        .catch(() => ({}))) as { issuer?: unknown }
    ).issuer;
    // Microsoft's multi-tenant authority answers an issuer template; any other mismatch is refused (Discovery §4.3).
    const expected =
      typeof issuer === "string" && acceptsDiscoveredIssuer(config.authority, issuer) ? new URL(issuer) : authority;
    const as = await oauth.processDiscoveryResponse(expected, response);
    discovered.set(config.authority, { as, until: Date.now() + DISCOVERY_TTL_MS });
    return as;
  } catch (error) {
    log("warn", "oidc discovery failed", { provider: config.provider, error: String(error) });
    throw new ApiError("PROC001", `${PROVIDER_DEFAULTS[config.provider].label} sign-in is unavailable right now`);
  }
}

function clientAuth(config: ProviderConfig): oauth.ClientAuth {
  return config.clientAuth === "client_secret_basic"
    ? oauth.ClientSecretBasic(config.clientSecret)
    : oauth.ClientSecretPost(config.clientSecret);
}

/** A new authorization request's secrets: kept server-side, only `state` and the PKCE challenge leave. */
export interface AuthorizationStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * Builds the provider's authorization URL (RFC 6749 §4.1.1 + RFC 7636 S256 + OIDC `nonce`).
 * @param loginHint optional `login_hint` (OIDC Core §3.1.2.1), e.g. the email the person typed
 */
export async function startAuthorization(
  env: Bindings,
  config: ProviderConfig,
  redirectUri: string,
  loginHint?: string,
): Promise<AuthorizationStart> {
  const as = await authorizationServer(env, config);
  if (!as.authorization_endpoint) throw new ApiError("PROC001", "The provider publishes no authorization endpoint");
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", config.scope);
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  if (loginHint) url.searchParams.set("login_hint", loginHint);
  return { url: url.href, state, nonce, codeVerifier };
}

/** What a verified ID token says about the person. */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

/** Why a callback was refused; `details.reason` for the client, the full cause only in the log. */
const refused = (reason: string) =>
  new ApiError("AUTH001", "The sign-in could not be verified; start again", { details: { reason } });

/**
 * Verifies the provider's answer and exchanges the code: the authorization response (RFC 9207 `iss` when sent),
 * the token response, the ID token's `iss` (Microsoft: the tenant template filled with its `tid`), `aud`, `exp`,
 * `iat`, `nonce`, and its signature against the provider's published JWKS.
 * @param params the callback's query parameters (`code`, `state`, optional `iss`, or `error`)
 * @throws ApiError AUTH001 (`details.reason`) when anything does not verify; PROC001 when the provider is unreachable
 */
export async function finishAuthorization(
  env: Bindings,
  config: ProviderConfig,
  flow: { state: string; nonce: string; codeVerifier: string; redirectUri: string },
  params: URLSearchParams,
): Promise<VerifiedIdentity> {
  const as = await authorizationServer(env, config);
  const client: oauth.Client = { client_id: config.clientId };
  const templated = as.issuer.includes(TENANT_PLACEHOLDER);
  const options = httpOptions(env);
  let stage = "authorization_response";
  try {
    const callback = new URLSearchParams(params);
    // A tenant-templated issuer cannot be compared before the token names its tenant: the `iss` parameter must at
    // least fit the template; the ID token's `iss` is then checked exactly against the template filled with `tid`.
    let responseAs = as;
    if (templated) {
      const iss = callback.get("iss");
      if (iss !== null && tenantIssuer(as.issuer, tenantOf(as.issuer, iss)) !== iss) throw refused("iss_mismatch");
      callback.delete("iss");
      responseAs = { ...as, authorization_response_iss_parameter_supported: false };
    }
    const validated = oauth.validateAuthResponse(responseAs, client, callback, flow.state);
    stage = "token_request";
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(config),
      validated,
      flow.redirectUri,
      flow.codeVerifier,
      options,
    );
    let tokenAs = as;
    if (templated) {
      const idToken = (
        (await response
          .clone()
          .json()
          .catch(() => ({}))) as { id_token?: unknown }
      ).id_token;
      const tid = typeof idToken === "string" ? safeClaims(idToken).tid : undefined;
      const expected = tenantIssuer(as.issuer, tid);
      if (expected === null) throw refused("iss_mismatch");
      tokenAs = { ...as, issuer: expected };
    }
    stage = "token_response";
    const result = await oauth.processAuthorizationCodeResponse(tokenAs, client, response, {
      expectedNonce: flow.nonce,
      requireIdToken: true,
    });
    // The ID token came straight from the token endpoint over TLS, which OIDC Core §3.1.3.7 lets a client trust;
    // we verify its signature anyway (a misrouted or forged token endpoint answer must not sign anyone in).
    stage = "id_token_signature";
    let cache = jwksCaches.get(as.issuer);
    if (!cache) jwksCaches.set(as.issuer, (cache = {}));
    await oauth.validateApplicationLevelSignature(tokenAs, response, { ...options, [oauth.jwksCache]: cache });
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!claims) throw refused("no_id_token");
    return { issuer: claims.iss, subject: claims.sub, claims: claims as unknown as Record<string, unknown> };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const reason = refusalReason(stage, error);
    log("warn", "oidc callback refused", { provider: config.provider, stage, reason, error: String(error) });
    if (reason === "provider_unreachable") {
      throw new ApiError("PROC001", `${PROVIDER_DEFAULTS[config.provider].label} could not be reached; try again`);
    }
    throw refused(reason);
  }
}

/** The tenant id a concrete issuer carries under a template, or undefined. */
function tenantOf(template: string, issuer: string): string | undefined {
  const [before, after] = template.split(TENANT_PLACEHOLDER) as [string, string];
  if (!issuer.startsWith(before) || !issuer.endsWith(after)) return undefined;
  return issuer.slice(before.length, issuer.length - after.length);
}

function safeClaims(jwt: string): Record<string, unknown> {
  try {
    return decodeJwt(jwt);
  } catch {
    return {};
  }
}

/** A stable, non-secret reason for the client: which check failed. */
function refusalReason(stage: string, error: unknown): string {
  if (error instanceof oauth.AuthorizationResponseError) return `provider_error:${error.error}`;
  if (error instanceof oauth.ResponseBodyError) return `token_error:${error.error}`;
  if (error instanceof oauth.OperationProcessingError) {
    const cause = error.cause as { claim?: string } | undefined;
    if (error.code === oauth.JWT_CLAIM_COMPARISON && cause?.claim) return `${cause.claim}_mismatch`;
    if (stage === "id_token_signature") return "bad_signature";
    return stage === "authorization_response" ? "bad_authorization_response" : "bad_token_response";
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError"))
    return "provider_unreachable";
  if (stage === "id_token_signature") return "bad_signature";
  return "unverifiable";
}

// Structural: any OpenAPI 3.x object; only `paths` is read.
type OpenApiDocument = { paths?: object };

/**
 * The OpenAPI document as this environment serves it: the `provider` path parameter lists only the configured
 * providers, and with none configured the /auth/oauth/{provider} operations are left out altogether.
 */
export function documentForProviders<T extends OpenApiDocument>(document: T, enabled: readonly OidcProvider[]): T {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    if (!path.includes("/auth/oauth/{provider}/")) {
      paths[path] = item;
      continue;
    }
    if (enabled.length === 0) continue;
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, op]) => {
        const operation = op as { parameters?: { name?: string; in?: string; schema?: Record<string, unknown> }[] };
        if (!Array.isArray(operation.parameters)) return [method, op];
        const parameters = operation.parameters.map((p) =>
          p.name === "provider" && p.in === "path" ? { ...p, schema: { ...p.schema, enum: [...enabled] } } : p,
        );
        return [method, { ...operation, parameters }];
      }),
    );
  }
  return { ...document, paths };
}

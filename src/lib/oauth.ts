// Mechanisms of the partner OAuth 2 authorization server shared by its endpoints: the issuer and its RFC 8414
// metadata, redirects back to the client (RFC 6749 §4.1.2, RFC 9207 `iss`), and client authentication at the
// token and revocation endpoints (RFC 6749 §2.3.1: client_secret_basic or client_secret_post, never both).
import type { Bindings } from "../env";
import { db } from "../db/client";
import { findApplication, type OAuthApplicationRow } from "../db/oauth";
import { OAuthError, PARTNER_SCOPES, parseBasicCredentials } from "../domain/oauth";
import { hashOpaqueSecret } from "./tokens";
import { timingSafeEqual } from "./crypto";

export const AUTHORIZE_PATH = "/api/v1/oauth/authorize";
export const TOKEN_PATH = "/api/v1/oauth/token";
export const REVOKE_PATH = "/api/v1/oauth/revoke";

/** The issuer identifier (RFC 8414 §2): this deployment's public origin, no trailing slash. */
export function issuerOf(env: Pick<Bindings, "PUBLIC_BASE_URL">): string {
  return env.PUBLIC_BASE_URL.replace(/\/+$/, "");
}

/** RFC 8414 §2 authorization server metadata, served at /.well-known/oauth-authorization-server. */
export function authorizationServerMetadata(env: Pick<Bindings, "PUBLIC_BASE_URL">) {
  const issuer = issuerOf(env);
  return {
    issuer,
    authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    revocation_endpoint: `${issuer}${REVOKE_PATH}`,
    scopes_supported: [...PARTNER_SCOPES],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/docs`,
  };
}

/**
 * The client's redirect URI with response parameters added to its query (RFC 6749 §4.1.2: the URI's own query
 * is kept) and the issuer (RFC 9207), e.g. `{ code, state }` or `{ error, error_description, state }`.
 */
export function redirectTo(
  env: Pick<Bindings, "PUBLIC_BASE_URL">,
  redirectUri: string,
  params: Record<string, string | undefined>,
) {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  url.searchParams.set("iss", issuerOf(env));
  return url.toString();
}

/**
 * Authenticates the client at the token or revocation endpoint.
 * @param form the form body (`client_id`, `client_secret` for client_secret_post)
 * @param authorization the Authorization header (client_secret_basic), if any
 * @returns the live application
 * @throws OAuthError invalid_request when both methods are used, invalid_client when the credentials are missing
 *   or wrong or the application is deleted (RFC 6749 §5.2)
 */
export async function authenticateClient(
  env: Pick<Bindings, "DB">,
  form: Record<string, string | undefined>,
  authorization: string | undefined,
): Promise<{ application: OAuthApplicationRow; method: "client_secret_basic" | "client_secret_post" }> {
  let clientId: string | undefined;
  let clientSecret: string | undefined;
  let method: "client_secret_basic" | "client_secret_post";
  if (authorization !== undefined) {
    const basic = parseBasicCredentials(authorization);
    if (!basic) throw new OAuthError("invalid_client", "Client authentication failed: malformed Authorization header");
    if (form.client_secret !== undefined) {
      throw new OAuthError("invalid_request", "Use one client authentication method, not both (RFC 6749 §2.3)");
    }
    if (form.client_id !== undefined && form.client_id !== basic.clientId) {
      throw new OAuthError("invalid_request", "client_id does not match the authenticated client");
    }
    ({ clientId, clientSecret } = basic);
    method = "client_secret_basic";
  } else {
    clientId = form.client_id;
    clientSecret = form.client_secret;
    method = "client_secret_post";
  }
  if (!clientId || !clientSecret) throw new OAuthError("invalid_client", "Client authentication failed");
  const application = clientId.length <= 64 ? await findApplication(db(env.DB), clientId) : undefined;
  // Hash the presented secret even for an unknown client, so timing tells nothing about which ids exist.
  const presented = hashOpaqueSecret(clientSecret);
  if (!application || !timingSafeEqual(presented, application.secretHash)) {
    throw new OAuthError("invalid_client", "Client authentication failed");
  }
  return { application, method };
}

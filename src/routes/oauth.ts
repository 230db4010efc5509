// Escra as an OAuth 2 authorization server for partner applications (issue 17.4): the consent page and the user's
// decision (authorization code + PKCE S256, RFC 6749 §4.1, RFC 7636), the token endpoint (code, refresh with
// rotation, client credentials), RFC 7009 revocation and RFC 8414 metadata. The token and revocation endpoints
// answer in OAuth's own format (`{ error, error_description }`, RFC 6749 §5.2), not our envelope: OAuth client
// libraries parse exactly that.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { answers, bearerRoute, envelope, jsonBody, jsonContent, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, publicRoute, requireSession } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { authorizationServerMetadata, redirectTo } from "../lib/oauth";
import { consentCsp, consentPage, newNonce, refusalPage } from "../lib/oauth-consent-page";
import { OAuthError, SCOPE_DESCRIPTIONS, type PartnerScope } from "../domain/oauth";
import { jsonList } from "../db/oauth";
import { checkAuthorizationRequest } from "../services/oauth/check-authorization-request";
import { decideConsent } from "../services/oauth/decide-consent";
import { exchangeToken } from "../services/oauth/exchange-token";
import { revokeToken } from "../services/oauth/revoke-token";
import {
  authorizationRequestQuery,
  consentDecisionBody,
  consentResultSchema,
  oauthErrorSchema,
  revokeForm,
  tokenForm,
  tokenResponseSchema,
} from "../schemas/oauth";

const tag = "OAuth 2 (partner applications)";
/** The token and revocation endpoints authenticate the client, not a user (RFC 6749 §2.3.1). */
const clientAuthentication = [{ clientSecretBasic: [] as string[] }];
const html = (description: string) => ({ content: { "text/html": { schema: z.string() } }, description });
const oauthErrors = {
  400: jsonContent(
    oauthErrorSchema,
    "OAuth error (RFC 6749 §5.2): invalid_request, invalid_grant, invalid_scope, " +
      "unsupported_grant_type, unauthorized_client — not the API envelope",
  ),
  401: jsonContent(oauthErrorSchema, "invalid_client: client authentication failed (RFC 6749 §5.2)"),
};

const authorizePageRoute = createRoute({
  ...openRoute(tag, publicRoute()),
  method: "get",
  path: "/oauth/authorize",
  summary: "Consent page of the authorization code flow (PKCE S256 required)",
  description:
    "The page an application sends the user to (RFC 6749 §4.1.1, RFC 7636 §4.3). It names the application and the " +
    "scopes in words; the user signs in on the page (their session stays in the page's memory and is logged out " +
    "after the decision) and allows or denies. Allow → `POST /oauth/authorize`, then the browser goes to the " +
    "redirect URI " +
    "with `code`, `state` and `iss` (RFC 9207). An unknown `client_id` or unregistered `redirect_uri` is shown here " +
    "and never redirected to; other faults go back to the redirect URI as `error=…` (RFC 6749 §4.1.2.1).",
  request: { query: authorizationRequestQuery },
  responses: {
    200: html("the consent page"),
    302: { description: "back to the client's redirect URI with an OAuth error (bad response_type, PKCE, scope)" },
    400: html("refused: unknown client or unregistered redirect URI (no redirect)"),
  },
});

const decideRoute = createRoute({
  ...bearerRoute(tag, requireSession()),
  method: "post",
  path: "/oauth/authorize",
  summary: "The signed-in user's consent decision",
  description:
    "Takes the authorization request's parameters (OAuth's names) and `decision`. Approve issues a one-time code " +
    "(10 minutes) for the scopes requested ∩ registered ∩ what your role may grant; deny returns " +
    "`error=access_denied`. Either way the answer is where to send the browser. Called by the consent page, or by " +
    "a frontend that already holds the user's session.",
  request: { body: jsonBody(consentDecisionBody) },
  responses: answers(200, envelope(consentResultSchema), "where to send the browser", "AUTH003", "AUTH004", "RES001"),
});

const tokenRoute = createRoute({
  ...openRoute(tag, publicRoute(), secretResponse),
  security: clientAuthentication,
  method: "post",
  path: "/oauth/token",
  summary: "Token endpoint: authorization_code, refresh_token, client_credentials",
  description:
    "Form-encoded (RFC 6749 §4.1.3). The client authenticates with `client_secret_basic` or `client_secret_post`. " +
    "authorization_code needs `code`, `redirect_uri` and `code_verifier`; a code works once — presented again, the " +
    "tokens it issued are revoked. refresh_token rotates: each refresh token works once, and a reused one revokes " +
    "the " +
    "whole authorization. client_credentials acts for the application owner's own account (no refresh token). " +
    "Access tokens `eoa_…` last 1 hour and are used as `Authorization: Bearer` like API keys, within their scopes. " +
    "Errors follow OAuth's format (RFC 6749 §5.2), not the API envelope.",
  request: { body: { content: { "application/x-www-form-urlencoded": { schema: tokenForm } }, required: true } },
  responses: {
    200: jsonContent(tokenResponseSchema, "tokens (Cache-Control: no-store)"),
    ...oauthErrors,
  },
});

const revokeRoute = createRoute({
  ...openRoute(tag, publicRoute()),
  security: clientAuthentication,
  method: "post",
  path: "/oauth/revoke",
  summary: "Revoke a token (RFC 7009)",
  description:
    "Form-encoded `token` (and optional `token_type_hint`), with client authentication as at the token endpoint. " +
    "A refresh token ends its whole authorization; an access token ends alone. Unknown tokens and other clients' " +
    "tokens are answered 200 too (RFC 7009 §2.2) and left untouched.",
  request: { body: { content: { "application/x-www-form-urlencoded": { schema: revokeForm } }, required: true } },
  responses: { 200: { description: "revoked (or nothing to revoke)" }, ...oauthErrors },
});

function noStore(c: Context<AppEnv, string, object>) {
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
}

/** An OAuthError as RFC 6749 §5.2 JSON; a failed Basic authentication also gets its challenge (§5.2, RFC 7617). */
function oauthFailure<C extends Context<AppEnv, string, object>>(c: C, error: OAuthError) {
  noStore(c);
  if (error.status === 401 && c.req.header("authorization")) c.header("WWW-Authenticate", 'Basic realm="escra"');
  return c.json(error.toJSON(), error.status);
}

/** Validation of a form endpoint answers OAuth's invalid_request, not VAL001. */
const malformed = () => new OAuthError("invalid_request", "Malformed request parameters");

export const oauthRoutes = createRouter()
  .openapi(authorizePageRoute, async (c) => {
    const query = c.req.valid("query");
    const nonce = newNonce();
    c.header("Content-Security-Policy", consentCsp(nonce));
    c.header("Cache-Control", "no-store");
    const checked = await checkAuthorizationRequest(c.env, query);
    if (checked.kind === "refused") return c.html(refusalPage(nonce, checked.message), 400);
    if (checked.kind === "error") return c.redirect(checked.to, 302);
    const scopes = checked.requestedScopes.length > 0 ? checked.requestedScopes : jsonList(checked.application.scopes);
    const page = consentPage({
      nonce,
      applicationName: checked.application.name,
      scopes: scopes.map((scope) => ({ scope, words: SCOPE_DESCRIPTIONS[scope as PartnerScope] ?? scope })),
      redirectHost: new URL(checked.redirectUri).host,
      request: query,
      denyUrl: redirectTo(c.env, checked.redirectUri, {
        error: "access_denied",
        error_description: "The user denied the request",
        state: checked.state,
      }),
    });
    return c.html(page, 200);
  })
  .openapi(decideRoute, async (c) => {
    const result = await decideConsent(c.env, principalOf(c), c.req.valid("json"), requestOrigin(c));
    return ok(c, result);
  })
  .openapi(
    tokenRoute,
    async (c) => {
      try {
        const tokens = await exchangeToken(c.env, c.req.valid("form"), c.req.header("authorization"));
        noStore(c);
        return c.json(tokens, 200);
      } catch (error) {
        if (error instanceof OAuthError) return oauthFailure(c, error);
        throw error;
      }
    },
    (result, c) => (result.success ? undefined : oauthFailure(c, malformed())),
  )
  .openapi(
    revokeRoute,
    async (c) => {
      try {
        await revokeToken(c.env, c.req.valid("form"), c.req.header("authorization"));
        noStore(c);
        return c.body(null, 200);
      } catch (error) {
        if (error instanceof OAuthError) return oauthFailure(c, error);
        throw error;
      }
    },
    (result, c) => (result.success ? undefined : oauthFailure(c, malformed())),
  );

const metadataRoute = createRoute({
  ...openRoute(tag, publicRoute()),
  method: "get",
  path: "/.well-known/oauth-authorization-server",
  summary: "Authorization server metadata (RFC 8414)",
  description: "Served bare (not the API envelope), as RFC 8414 defines it. The issuer is PUBLIC_BASE_URL.",
  responses: {
    200: jsonContent(
      z
        .object({
          issuer: z.string(),
          authorization_endpoint: z.string(),
          token_endpoint: z.string(),
          revocation_endpoint: z.string(),
          scopes_supported: z.array(z.string()),
          response_types_supported: z.array(z.string()),
          response_modes_supported: z.array(z.string()),
          grant_types_supported: z.array(z.string()),
          token_endpoint_auth_methods_supported: z.array(z.string()),
          revocation_endpoint_auth_methods_supported: z.array(z.string()),
          code_challenge_methods_supported: z.array(z.string()),
          authorization_response_iss_parameter_supported: z.boolean(),
          service_documentation: z.string(),
        })
        .openapi("OAuthAuthorizationServerMetadata"),
      "the metadata document",
    ),
  },
});

export const oauthMetadataRoutes = createRouter().openapi(metadataRoute, (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(authorizationServerMetadata(c.env), 200);
});

// The zod schemas of the partner OAuth 2 routes (applications, consent, token, revocation, authorizations):
// they validate the requests and document them in OpenAPI; services take their inferred types.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import { MAX_REDIRECT_URIS, PARTNER_SCOPES, redirectUriProblem } from "../domain/oauth";

const redirectUri = z
  .string()
  .max(2000)
  .superRefine((uri, ctx) => {
    const problem = redirectUriProblem(uri);
    if (problem) ctx.addIssue({ code: "custom", message: `redirect URI ${problem}` });
  })
  .openapi({ example: "https://partner.example.com/oauth/callback" });

const scopeList = z.array(z.enum(PARTNER_SCOPES)).min(1).max(PARTNER_SCOPES.length).openapi({
  description: "Scopes the application may ask users for (src/domain/scopes.ts; `admin:*` is never granted)",
});

export const createApplicationBody = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ description: "Shown to users on the consent page" }),
    redirectUris: z
      .array(redirectUri)
      .min(1)
      .max(MAX_REDIRECT_URIS)
      .openapi({ description: "https, or http on a loopback host for development (RFC 8252 §7.3); no fragment" }),
    scopes: scopeList,
  })
  .openapi("CreateOAuthApplication");

export const updateApplicationBody = createApplicationBody
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: "nothing to change" })
  .openapi("UpdateOAuthApplication");

export const applicationSchema = z
  .object({
    id: z.string().openapi({ example: "oap_3kTq9ZyP0aB1cD2eF3gH" }),
    clientId: z.string().openapi({ description: "The OAuth `client_id` (equal to `id`)" }),
    name: z.string(),
    redirectUris: z.array(z.string()),
    scopes: z.array(z.string()),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi("OAuthApplication");

export const applicationWithSecret = applicationSchema
  .extend({ clientSecret: z.string().openapi({ description: "shown only in this response", example: "ecs_…" }) })
  .openapi("OAuthApplicationWithSecret");

/** The authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3), checked by the service, not by zod (see below). */
export const authorizationRequestQuery = z.object({
  response_type: z.string().max(50).optional().openapi({ example: "code" }),
  client_id: z.string().max(100).optional().openapi({ example: "oap_3kTq9ZyP0aB1cD2eF3gH" }),
  redirect_uri: z.string().max(2000).optional(),
  scope: z.string().max(1000).optional().openapi({ example: "contracts:read escrows:read" }),
  state: z.string().max(500).optional(),
  code_challenge: z.string().max(128).optional(),
  code_challenge_method: z.string().max(10).optional().openapi({ example: "S256" }),
});
export type AuthorizationRequest = z.infer<typeof authorizationRequestQuery>;

export const consentDecisionBody = authorizationRequestQuery
  .extend({
    decision: z.enum(["approve", "deny"]).openapi({ description: "The user's answer on the consent page" }),
  })
  .openapi("OAuthConsentDecision");
export type ConsentDecision = z.infer<typeof consentDecisionBody>;

export const consentResultSchema = z
  .object({
    redirectTo: z.string().openapi({
      description: "Where to send the browser: the client's redirect URI with `code`/`state`/`iss`, or an OAuth error",
      example: "https://partner.example.com/oauth/callback?code=eoc_…&state=xyz&iss=https%3A%2F%2Fapi.escra.example",
    }),
  })
  .openapi("OAuthConsentResult");

/** Token request parameters (RFC 6749 §4.1.3, §4.4.2, §6); which are required depends on `grant_type`. */
export const tokenForm = z.object({
  grant_type: z.string().max(100).optional().openapi({ example: "authorization_code" }),
  code: z.string().max(200).optional(),
  redirect_uri: z.string().max(2000).optional(),
  code_verifier: z.string().max(200).optional(),
  refresh_token: z.string().max(200).optional(),
  scope: z.string().max(1000).optional(),
  client_id: z.string().max(100).optional(),
  client_secret: z.string().max(200).optional(),
});
export type TokenForm = z.infer<typeof tokenForm>;

export const tokenResponseSchema = z
  .object({
    access_token: z.string().openapi({ example: "eoa_…" }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "seconds" }),
    refresh_token: z.string().optional().openapi({ description: "authorization_code and refresh_token grants only" }),
    scope: z.string().openapi({ description: "the granted scopes, space-separated" }),
  })
  .openapi("OAuthTokenResponse");

export const oauthErrorSchema = z
  .object({
    error: z.string().openapi({ example: "invalid_grant" }),
    error_description: z.string().optional(),
  })
  .openapi("OAuthError");

export const revokeForm = z.object({
  token: z.string().max(200).optional(),
  token_type_hint: z.string().max(50).optional(),
  client_id: z.string().max(100).optional(),
  client_secret: z.string().max(200).optional(),
});
export type RevokeForm = z.infer<typeof revokeForm>;

export const authorizationSchema = z
  .object({
    id: z.string().openapi({ example: "oag_3kTq9ZyP0aB1cD2eF3gH" }),
    application: z.object({ id: z.string(), name: z.string() }),
    kind: z.enum(["authorization_code", "client_credentials"]).openapi({
      description: "authorization_code: you consented; client_credentials: your own application acting for you",
    }),
    scopes: z.array(z.string()),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
  })
  .openapi("OAuthAuthorization");

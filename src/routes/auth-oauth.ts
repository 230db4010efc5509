// Sign in with Google, Microsoft, LinkedIn (OpenID Connect code flow + PKCE): the enabled providers, the authorize
// redirect, the callback (token pair, or an AUTH005 MFA challenge finished at /auth/oauth/mfa), and the caller's
// linked identities (list, explicit link, unlink). Providers this environment does not configure answer 404.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, answersRaw, bearerRoute, envelope, isoDate, jsonBody, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { principalOf, publicRoute, requireSession } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { ipLimit } from "../lib/auth-limits";
import { sessionTokenResponse } from "../lib/idempotency";
import { enabledProviders } from "../lib/oidc";
import { startProviderAuthorization } from "../services/auth/start-provider-authorization";
import { signInWithProvider } from "../services/auth/sign-in-with-provider";
import { completeLoginChallenge } from "../services/auth/complete-login-challenge";
import { unlinkIdentity } from "../services/auth/unlink-identity";
import { identitiesOf } from "../db/oidc";
import { OIDC_PROVIDERS, PROVIDER_DEFAULTS, isOidcProvider, type OidcProvider } from "../domain/oidc";
import { tokenPairSchema } from "../schemas/auth";

/** A provider path segment: any name parses, so an unknown or unconfigured one is 404 RES001, not 400. */
const providerParam = z.object({
  provider: z
    .string()
    .max(32)
    .openapi({
      param: { name: "provider", in: "path" },
      enum: [...OIDC_PROVIDERS],
      description: "One of the providers this environment configures (GET /auth/oauth/providers lists them)",
      example: "google",
    }),
});

function configuredProvider(name: string): OidcProvider {
  if (!isOidcProvider(name)) throw new ApiError("RES001", "No such sign-in provider");
  return name;
}

const urlField = z.string().url().max(2048);

const identitySchema = z
  .object({
    id: z.string().openapi({ example: "idn_3kTq9ZyP0aB1cD2eF3gH" }),
    provider: z.enum(OIDC_PROVIDERS),
    email: z.string().nullable().openapi({ description: "the email the provider asserted at the last sign-in" }),
    emailVerified: z.boolean().openapi({ description: "whether the provider vouched for that email" }),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
  })
  .openapi("Identity");

// ---- providers ----

const providersRoute = createRoute({
  method: "get",
  path: "/auth/oauth/providers",
  ...openRoute("Auth", publicRoute()),
  summary: "The external sign-in providers this environment offers",
  description:
    "Only providers whose client id and secret are configured are listed; the others answer 404 on every " +
    "/auth/oauth/{provider} route and are left out of the `provider` enum of this document.",
  responses: answers(
    200,
    envelope(
      z.object({
        providers: z.array(
          z.object({
            id: z.enum(OIDC_PROVIDERS),
            name: z.string().openapi({ example: "Google" }),
            authorizeUrl: z.string().openapi({ example: "/api/v1/auth/oauth/google/authorize" }),
          }),
        ),
      }),
    ),
    "enabled providers",
  ),
});

// ---- authorize ----

const authorizeRoute = createRoute({
  method: "get",
  path: "/auth/oauth/{provider}/authorize",
  ...openRoute("Auth", publicRoute(), ipLimit("oidcAuthorize")),
  summary: "Start signing in with a provider (302 to the provider)",
  description:
    "Navigate the browser here. Redirects to the provider's authorization endpoint with the code flow, PKCE (S256), " +
    "`state` and `nonce`; the verifier, nonce and state stay on the server (10 minutes, single use). `redirectUri` " +
    "must be one of this environment's allow-listed redirect URIs (default the first); the provider returns the " +
    "browser there with `code` and `state`, which go unchanged to the callback. `returnTo` (an absolute URL on an " +
    "allowed origin) is echoed by the callback.",
  request: {
    params: providerParam,
    query: z.object({
      redirectUri: urlField.optional(),
      returnTo: urlField.optional(),
      loginHint: z.string().max(254).optional().openapi({ description: "passed to the provider as login_hint" }),
    }),
  },
  responses: answersRaw(
    302,
    { description: "to the provider", headers: z.object({ Location: z.string() }) },
    "RES001",
    "PROC001",
  ),
});

// ---- callback ----

const callbackResult = z
  .object({
    accessToken: z.string().optional(),
    refreshToken: z.string().optional(),
    tokenType: z.literal("Bearer").optional(),
    expiresIn: z.number().int().optional(),
    user: tokenPairSchema.shape.user.optional(),
    created: z.boolean().optional().openapi({ description: "sign-in: whether this sign-in created the account" }),
    identity: identitySchema.optional().openapi({ description: "link flows: the identity now linked" }),
    returnTo: z.string().nullable(),
  })
  .openapi("ProviderCallback");

const callbackRoute = createRoute({
  method: "get",
  path: "/auth/oauth/{provider}/callback",
  ...openRoute("Auth", publicRoute(), ipLimit("oidcCallback")),
  summary: "Finish a provider sign-in: the login response, or an MFA challenge",
  description:
    "Pass the provider's `code` and `state` (and `iss`) exactly as it sent them. A sign-in answers the same token " +
    "pair as POST /auth/login (plus `created`, `returnTo`); with MFA on it answers 401 AUTH005 with " +
    "`details: { mfaRequired: true, challenge, expiresAt }` — send the challenge and a code to POST /auth/oauth/mfa. " +
    "A flow started by POST /auth/identities/link answers `{ identity, returnTo }`. Linking rules: a linked identity " +
    "signs in to its account; an existing account is linked only when the provider asserts a verified email and the " +
    "account verified the same address; a new account's email is verified only if the provider asserted it; an " +
    "address the provider does not vouch for that an account holds is refused (403 AUTH006). Wrong, expired or " +
    "replayed `state`, a replayed code, a wrong nonce, issuer or audience, or an ID token not signed by the " +
    "provider's keys: 401 AUTH001 with `details.reason`.",
  request: {
    params: providerParam,
    query: z.object({
      state: z.string().min(1).max(512),
      code: z.string().max(4096).optional(),
      iss: z.string().max(2048).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(2048).optional(),
    }),
  },
  responses: answers(
    200,
    envelope(callbackResult),
    "signed in (token pair) or identity linked",
    "AUTH001",
    "AUTH003",
    "AUTH005",
    "AUTH006",
    "RES001",
    "RES002",
    "PROC001",
  ),
});

const mfaRoute = createRoute({
  method: "post",
  path: "/auth/oauth/mfa",
  ...openRoute("Auth", publicRoute(), ipLimit("loginChallenge"), sessionTokenResponse),
  summary: "Finish a provider sign-in on an account with MFA on",
  description:
    "The `challenge` from the callback's AUTH005 (5 minutes, 5 attempts, single use) and a TOTP or recovery code " +
    "→ the login response.",
  request: {
    body: jsonBody(
      z
        .object({
          challenge: z.string().min(20).max(100),
          mfaCode: z.string().trim().min(6).max(20).openapi({ description: "TOTP code or a recovery code" }),
        })
        .openapi("ProviderMfa"),
    ),
  },
  responses: answers(200, envelope(tokenPairSchema), "logged in", "AUTH001", "AUTH003", "AUTH005"),
});

// ---- identities ----

const listRoute = createRoute({
  method: "get",
  path: "/auth/identities",
  ...bearerRoute("Auth", requireSession()),
  summary: "The caller's linked sign-in providers",
  responses: answers(
    200,
    envelope(z.object({ identities: z.array(identitySchema), hasPassword: z.boolean() })),
    "linked identities",
    "AUTH002",
    "AUTH003",
    "AUTH004",
  ),
});

const linkRoute = createRoute({
  method: "post",
  path: "/auth/identities/link",
  ...bearerRoute("Auth", requireSession()),
  summary: "Link a provider to the signed-in account (returns the URL to navigate to)",
  description:
    "A browser navigation cannot carry the bearer token, so linking starts here: the answer's `authorizationUrl` " +
    "goes to the provider; its callback then links that provider account to the caller, whatever email it asserts. " +
    "One identity per provider per account; one that belongs to another account is RES002.",
  request: {
    body: jsonBody(
      z
        .object({ provider: z.enum(OIDC_PROVIDERS), redirectUri: urlField.optional(), returnTo: urlField.optional() })
        .openapi("LinkIdentity"),
    ),
  },
  responses: answers(
    201,
    envelope(z.object({ authorizationUrl: z.string(), expiresAt: isoDate })),
    "navigate to authorizationUrl",
    "AUTH002",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
    "PROC001",
  ),
});

const unlinkRoute = createRoute({
  method: "delete",
  path: "/auth/identities/{id}",
  ...bearerRoute("Auth", requireSession()),
  summary: "Unlink a provider",
  description: "Only while another way to sign in remains (a password or another identity); otherwise 409 RES002.",
  request: {
    params: z.object({
      id: z
        .string()
        .max(40)
        .openapi({ param: { name: "id", in: "path" }, example: "idn_3kTq9ZyP0aB1cD2eF3gH" }),
    }),
  },
  responses: answers(
    200,
    envelope(z.object({ id: z.string(), unlinked: z.literal(true) })),
    "unlinked",
    "AUTH002",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

export const authOauthRoutes = createRouter()
  .openapi(providersRoute, (c) => {
    const providers = enabledProviders(c.env).map((id) => ({
      id,
      name: PROVIDER_DEFAULTS[id].label,
      authorizeUrl: `/api/v1/auth/oauth/${id}/authorize`,
    }));
    return ok(c, { providers }, 200);
  })

  .openapi(authorizeRoute, async (c) => {
    const provider = configuredProvider(c.req.valid("param").provider);
    const query = c.req.valid("query");
    const { authorizationUrl } = await startProviderAuthorization(c.env, requestOrigin(c), { provider, ...query });
    c.header("Cache-Control", "no-store");
    return c.redirect(authorizationUrl, 302);
  })

  .openapi(callbackRoute, async (c) => {
    const provider = configuredProvider(c.req.valid("param").provider);
    c.header("Cache-Control", "no-store");
    const result = await signInWithProvider(c, { provider, params: new URL(c.req.url).searchParams });
    if (result.kind === "linked") return ok(c, { identity: result.identity, returnTo: result.returnTo }, 200);
    return ok(c, { ...result.pair, created: result.created, returnTo: result.returnTo }, 200);
  })

  .openapi(mfaRoute, async (c) => {
    const pair = await completeLoginChallenge(c, c.req.valid("json"));
    return ok(c, pair, 200);
  })

  .openapi(listRoute, async (c) => {
    return ok(c, await identitiesOf(c.env.DB, principalOf(c).userId), 200);
  })

  .openapi(linkRoute, async (c) => {
    const body = c.req.valid("json");
    const started = await startProviderAuthorization(c.env, requestOrigin(c), {
      provider: body.provider,
      redirectUri: body.redirectUri,
      returnTo: body.returnTo,
      linkUserId: principalOf(c).userId,
    });
    return ok(c, started, 201);
  })

  .openapi(unlinkRoute, async (c) => {
    const { id } = c.req.valid("param");
    await unlinkIdentity(c.env, requestOrigin(c), principalOf(c).userId, id);
    return ok(c, { id, unlinked: true as const }, 200);
  });

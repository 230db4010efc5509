// Starting "Sign in with <provider>" (or linking a provider to the signed-in account): checks the redirect URI and
// returnTo against this environment's allow-lists, keeps state, nonce and the PKCE verifier server-side (10 minutes,
// single use) and returns the provider's authorization URL.
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { providerConfig, redirectUriAllowList, returnToOrigins, startAuthorization } from "../../lib/oidc";
import { db } from "../../db/client";
import { newFlowStatements } from "../../db/oidc";
import { allowedRedirectUri, allowedReturnTo, type OidcProvider } from "../../domain/oidc";

export interface StartProviderAuthorizationInput {
  provider: OidcProvider;
  /** One of OIDC_REDIRECT_URIS; default the first. */
  redirectUri?: string;
  /** Where the frontend goes after the callback; its origin must be allow-listed. Echoed by the callback. */
  returnTo?: string;
  /** Passed to the provider as `login_hint`. */
  loginHint?: string;
  /** Set when a signed-in user links this provider to their account. */
  linkUserId?: string;
}

/**
 * @returns the provider's authorization URL and when this flow expires (ISO UTC)
 * @throws ApiError RES001 when the provider is not configured here; VAL001 for a redirect URI or returnTo off the
 *   allow-lists; PROC001 when the provider's metadata cannot be fetched
 */
export async function startProviderAuthorization(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  input: StartProviderAuthorizationInput,
): Promise<{ authorizationUrl: string; expiresAt: string }> {
  const config = providerConfig(env, input.provider);
  if (!config) throw new ApiError("RES001", "No such sign-in provider");
  const allowList = redirectUriAllowList(env);
  const redirectUri = input.redirectUri ?? allowList[0]!.replaceAll("{provider}", input.provider);
  if (!allowedRedirectUri(allowList, input.provider, redirectUri)) {
    throw new ApiError("VAL001", "Request validation failed", {
      details: [{ path: "redirectUri", message: "is not one of this environment's allowed redirect URIs" }],
    });
  }
  if (input.returnTo !== undefined && !allowedReturnTo(returnToOrigins(env), input.returnTo)) {
    throw new ApiError("VAL001", "Request validation failed", {
      details: [{ path: "returnTo", message: "must be an absolute URL on one of this environment's allowed origins" }],
    });
  }
  const start = await startAuthorization(env, config, redirectUri, input.loginHint);
  const now = new Date();
  const { expiresAt, statements } = newFlowStatements(
    env.DB,
    {
      state: start.state,
      provider: input.provider,
      codeVerifier: start.codeVerifier,
      nonce: start.nonce,
      redirectUri,
      returnTo: input.returnTo ?? null,
      linkUserId: input.linkUserId ?? null,
    },
    now,
  );
  const audit = input.linkUserId
    ? [
        auditInsert(
          env,
          {
            action: "auth.identity.link_started",
            actorId: input.linkUserId,
            ...origin,
            resourceType: "user",
            resourceId: input.linkUserId,
            data: { provider: input.provider },
          },
          now,
        ),
      ]
    : [];
  await db(env.DB).batch([...statements, ...audit]);
  return { authorizationUrl: start.url, expiresAt };
}

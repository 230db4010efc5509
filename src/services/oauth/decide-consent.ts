// The user's answer on the consent page (POST /oauth/authorize): deny → access_denied to the client; approve → a
// one-time authorization code bound to the client, redirect URI, PKCE challenge and the granted scopes
// (requested ∩ registered ∩ what the user's role may grant), recorded in the audit log.
import type { Bindings, Principal } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { redirectTo } from "../../lib/oauth";
import { newOpaqueSecret } from "../../lib/tokens";
import { db } from "../../db/client";
import { insertCode, jsonList } from "../../db/oauth";
import { CODE_MARKER, CODE_TTL_SECONDS, OAuthError, grantableScopes } from "../../domain/oauth";
import type { ConsentDecision } from "../../schemas/oauth";
import { checkAuthorizationRequest } from "./check-authorization-request";

/**
 * @returns `{ redirectTo }`: the client's redirect URI with `code` + `state` + `iss`, or with an OAuth error
 * @throws ApiError RES001 for an unknown client_id, VAL001 for an unregistered redirect_uri (never redirected to)
 */
export async function decideConsent(
  env: Pick<Bindings, "DB" | "PUBLIC_BASE_URL">,
  principal: Principal,
  input: ConsentDecision,
  origin: { ip: string | null; userAgent: string | null },
  now = new Date(),
): Promise<{ redirectTo: string }> {
  const checked = await checkAuthorizationRequest(env, input);
  if (checked.kind === "refused") {
    if (checked.field === "client_id") throw new ApiError("RES001", "Application not found");
    throw new ApiError("VAL001", checked.message, { details: [{ path: "redirect_uri", message: checked.message }] });
  }
  if (checked.kind === "error") return { redirectTo: checked.to };
  const { application, redirectUri, state } = checked;
  const back = (error: OAuthError) =>
    redirectTo(env, redirectUri, { error: error.error, error_description: error.description, state });
  if (input.decision === "deny") {
    return { redirectTo: back(new OAuthError("access_denied", "The user denied the request")) };
  }
  let scopes;
  try {
    scopes = grantableScopes({
      requested: checked.requestedScopes,
      registered: jsonList(application.scopes),
      role: principal.role,
    });
  } catch (error) {
    if (error instanceof OAuthError) return { redirectTo: back(error) };
    throw error;
  }
  const code = newOpaqueSecret(CODE_MARKER);
  const database = db(env.DB);
  await database.batch([
    insertCode(database, {
      codeHash: code.hash,
      applicationId: application.id,
      userId: principal.userId,
      redirectUri,
      scopes: JSON.stringify(scopes),
      codeChallenge: checked.codeChallenge,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CODE_TTL_SECONDS * 1000).toISOString(),
      usedAt: null,
      grantId: null,
    }),
    auditInsert(
      env,
      {
        action: "oauth.consent_granted",
        actorId: principal.userId,
        ...origin,
        resourceType: "oauth_application",
        resourceId: application.id,
        data: { scopes, redirectUri },
      },
      now,
    ),
  ]);
  return { redirectTo: redirectTo(env, redirectUri, { code: code.secret, state }) };
}

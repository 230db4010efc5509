// Checks an authorization request (GET /oauth/authorize and the consent decision) in RFC 6749 §4.1.2.1's order:
// an unknown client or an unregistered redirect URI is shown to the user and never redirected to (an open
// redirector otherwise); every later fault goes back to the client's redirect URI as an OAuth error.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { findApplication, jsonList, type OAuthApplicationRow } from "../../db/oauth";
import { OAuthError, isS256Challenge, parseScopeParam, redirectUriRegistered } from "../../domain/oauth";
import { redirectTo } from "../../lib/oauth";
import type { AuthorizationRequest } from "../../schemas/oauth";

export type CheckedAuthorizationRequest =
  /** Do not redirect: say `message` to the user (`field` names the faulty parameter). */
  | { kind: "refused"; field: "client_id" | "redirect_uri"; message: string }
  /** Send the browser to `to`: the client's redirect URI carrying an OAuth error. */
  | { kind: "error"; to: string; error: OAuthError }
  | {
      kind: "valid";
      application: OAuthApplicationRow;
      redirectUri: string;
      /** Scope tokens asked for, all registered by the application (empty: every registered scope). */
      requestedScopes: string[];
      state: string | undefined;
      codeChallenge: string;
    };

/**
 * @param request the query (or the consent body) with OAuth's parameter names
 * @returns what to do with the request; never throws for a client's mistake
 */
export async function checkAuthorizationRequest(
  env: Pick<Bindings, "DB" | "PUBLIC_BASE_URL">,
  request: AuthorizationRequest,
): Promise<CheckedAuthorizationRequest> {
  const application = request.client_id ? await findApplication(db(env.DB), request.client_id) : undefined;
  if (!application) return { kind: "refused", field: "client_id", message: "Unknown application (client_id)" };
  const redirectUri = request.redirect_uri;
  if (!redirectUri || !redirectUriRegistered(jsonList(application.redirectUris), redirectUri)) {
    const message = "This redirect URI is not registered for the application";
    return { kind: "refused", field: "redirect_uri", message };
  }
  const fail = (error: OAuthError): CheckedAuthorizationRequest => ({
    kind: "error",
    error,
    to: redirectTo(env, redirectUri, {
      error: error.error,
      error_description: error.description,
      state: request.state,
    }),
  });
  if (request.response_type !== "code") {
    return fail(new OAuthError("unsupported_response_type", "Only response_type=code is supported"));
  }
  if (request.code_challenge_method !== "S256" || !request.code_challenge || !isS256Challenge(request.code_challenge)) {
    return fail(new OAuthError("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256"));
  }
  const requested = parseScopeParam(request.scope);
  if (requested === null) return fail(new OAuthError("invalid_scope", "Malformed scope parameter"));
  const registered = jsonList(application.scopes);
  const beyond = requested.filter((s) => !registered.includes(s));
  // Scope escalation is refused outright rather than narrowed, so the client learns what it may ask for.
  if (beyond.length > 0) {
    return fail(new OAuthError("invalid_scope", `Not registered for this application: ${beyond.join(" ")}`));
  }
  return {
    kind: "valid",
    application,
    redirectUri,
    requestedScopes: requested,
    state: request.state,
    codeChallenge: request.code_challenge,
  };
}

// The token endpoint's grants (POST /oauth/token, RFC 6749 §4.1.3, §4.4, §6): authorization code + PKCE,
// refresh with rotation, and client credentials for the application owner's own account. Failures are
// OAuthErrors (RFC 6749 §5.2), never our envelope. A replayed code revokes what it issued (§4.1.2); a reused
// refresh token revokes its whole authorization (RFC 9700 §4.14.2).
import type { Bindings } from "../../env";
import { auditInsert } from "../../lib/audit";
import { authenticateClient } from "../../lib/oauth";
import { hashOpaqueSecret } from "../../lib/tokens";
import { db, type Database } from "../../db/client";
import {
  findClientCredentialsGrant,
  findCode,
  insertGrant,
  insertTokensStatements,
  jsonList,
  mintTokens,
  newGrantRow,
  redeemCode,
  revokeGrantStatement,
  rotateRefreshToken,
  tokenWithGrant,
  userStanding,
  type MintedTokens,
  type OAuthApplicationRow,
} from "../../db/oauth";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  OAuthError,
  formatScopes,
  grantableScopes,
  narrowedScopes,
  parseScopeParam,
  pkceVerifierMatches,
} from "../../domain/oauth";
import { effectiveScopes, type Scope } from "../../domain/scopes";
import type { TokenForm } from "../../schemas/oauth";

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

/**
 * @param form the form-encoded body
 * @param authorization the Authorization header (client_secret_basic), if any
 * @throws OAuthError with the RFC 6749 §5.2 code
 */
export async function exchangeToken(
  env: Pick<Bindings, "DB">,
  form: TokenForm,
  authorization: string | undefined,
  now = new Date(),
): Promise<TokenResponse> {
  if (!form.grant_type) throw new OAuthError("invalid_request", "grant_type is required");
  const { application } = await authenticateClient(env, form, authorization);
  const database = db(env.DB);
  switch (form.grant_type) {
    case "authorization_code":
      return redeemAuthorizationCode(env, database, application, form, now);
    case "refresh_token":
      return refresh(env, database, application, form, now);
    case "client_credentials":
      return clientCredentials(database, application, form, now);
    default:
      throw new OAuthError("unsupported_grant_type", `Unsupported grant_type ${form.grant_type.slice(0, 50)}`);
  }
}

function respond(minted: MintedTokens, scopes: readonly Scope[]): TokenResponse {
  return {
    access_token: minted.accessToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    ...(minted.refreshToken ? { refresh_token: minted.refreshToken } : {}),
    scope: formatScopes(scopes),
  };
}

/** Revokes the authorization a replayed code (or reused refresh token) issued, with an audit entry. */
async function revokeForReplay(
  env: Pick<Bindings, "DB">,
  database: Database,
  grantId: string,
  userId: string,
  reason: "code_replayed" | "refresh_token_reused",
  now: Date,
) {
  const at = now.toISOString();
  await database.batch([
    revokeGrantStatement(database, grantId, reason, at),
    auditInsert(
      env,
      {
        action: `oauth.${reason}`,
        actorId: null,
        resourceType: "oauth_authorization",
        resourceId: grantId,
        data: { userId },
      },
      now,
    ),
  ]);
}

async function redeemAuthorizationCode(
  env: Pick<Bindings, "DB">,
  database: Database,
  application: OAuthApplicationRow,
  form: TokenForm,
  now: Date,
): Promise<TokenResponse> {
  if (!form.code || !form.redirect_uri || !form.code_verifier) {
    throw new OAuthError("invalid_request", "code, redirect_uri and code_verifier are required");
  }
  const codeHash = hashOpaqueSecret(form.code);
  const row = await findCode(database, codeHash);
  const invalid = new OAuthError("invalid_grant", "The authorization code is invalid, expired or already used");
  if (!row || row.applicationId !== application.id) throw invalid;
  if (row.usedAt !== null) {
    // RFC 6749 §4.1.2: a code used twice may have been stolen; what it issued is revoked.
    if (row.grantId) await revokeForReplay(env, database, row.grantId, row.userId, "code_replayed", now);
    throw invalid;
  }
  if (row.expiresAt <= now.toISOString()) throw invalid;
  if (row.redirectUri !== form.redirect_uri) {
    throw new OAuthError("invalid_grant", "redirect_uri differs from the authorization request");
  }
  if (!pkceVerifierMatches(form.code_verifier, row.codeChallenge)) {
    throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge (PKCE, RFC 7636 §4.6)");
  }
  const user = await userStanding(database, row.userId);
  if (!user || user.suspended || user.deletedAt !== null) throw invalid;
  // Rights at redemption: the application's registration or the user's role may have narrowed since consent.
  const registered = new Set(jsonList(application.scopes));
  const scopes = effectiveScopes(
    user.role,
    jsonList(row.scopes).filter((s) => registered.has(s)),
  );
  if (scopes.length === 0) throw new OAuthError("invalid_grant", "Nothing of what was granted can still be granted");
  const grant = newGrantRow({
    applicationId: application.id,
    userId: row.userId,
    kind: "authorization_code",
    scopes,
    now: now.toISOString(),
  });
  const minted = mintTokens(grant.id, scopes, now, scopes);
  if (!(await redeemCode(database, codeHash, grant, minted.rows, now))) {
    // Another request redeemed it between our read and write: this is the replay.
    const again = await findCode(database, codeHash);
    if (again?.grantId) await revokeForReplay(env, database, again.grantId, again.userId, "code_replayed", now);
    throw invalid;
  }
  return respond(minted, scopes);
}

async function refresh(
  env: Pick<Bindings, "DB">,
  database: Database,
  application: OAuthApplicationRow,
  form: TokenForm,
  now: Date,
): Promise<TokenResponse> {
  if (!form.refresh_token) throw new OAuthError("invalid_request", "refresh_token is required");
  const requested = parseScopeParam(form.scope);
  if (requested === null) throw new OAuthError("invalid_scope", "Malformed scope parameter");
  const row = await tokenWithGrant(database, hashOpaqueSecret(form.refresh_token));
  const invalid = new OAuthError("invalid_grant", "The refresh token is invalid, expired or revoked");
  if (!row || row.token.kind !== "refresh" || row.grant.applicationId !== application.id) throw invalid;
  if (row.token.rotatedAt !== null) {
    // A rotated refresh token presented again: one of the two holders is not the client (RFC 9700 §4.14.2).
    await revokeForReplay(env, database, row.grant.id, row.grant.userId, "refresh_token_reused", now);
    throw invalid;
  }
  if (
    row.token.revokedAt !== null ||
    row.token.expiresAt <= now.toISOString() ||
    row.grant.revokedAt !== null ||
    row.suspended ||
    row.userDeletedAt !== null
  ) {
    throw invalid;
  }
  const registered = new Set(jsonList(application.scopes));
  const held = effectiveScopes(
    row.role,
    jsonList(row.token.scopes).filter((s) => registered.has(s)),
  );
  if (held.length === 0) throw invalid;
  const scopes = narrowedScopes(held, requested);
  const minted = mintTokens(row.grant.id, scopes, now, held);
  if (!(await rotateRefreshToken(database, row.token.id, minted.rows, now))) {
    await revokeForReplay(env, database, row.grant.id, row.grant.userId, "refresh_token_reused", now);
    throw invalid;
  }
  return respond(minted, scopes);
}

/** RFC 6749 §4.4: the application acts for its owner's own account, within its registration and the owner's role. */
async function clientCredentials(
  database: Database,
  application: OAuthApplicationRow,
  form: TokenForm,
  now: Date,
): Promise<TokenResponse> {
  const requested = parseScopeParam(form.scope);
  if (requested === null) throw new OAuthError("invalid_scope", "Malformed scope parameter");
  const owner = await userStanding(database, application.ownerId);
  if (!owner || owner.suspended || owner.deletedAt !== null) {
    throw new OAuthError("unauthorized_client", "The application's owner account cannot act");
  }
  const registered = jsonList(application.scopes);
  const scopes = grantableScopes({ requested, registered, role: owner.role });
  let grant = await findClientCredentialsGrant(database, application.id);
  const statements = [];
  if (!grant) {
    const granted = effectiveScopes(owner.role, registered);
    grant = newGrantRow({
      applicationId: application.id,
      userId: application.ownerId,
      kind: "client_credentials",
      scopes: granted,
      now: now.toISOString(),
    });
    statements.push(insertGrant(database, grant));
  }
  // §4.4.3: no refresh token; the client asks again with its credentials.
  const minted = mintTokens(grant.id, scopes, now, null);
  const [first, ...rest] = [...statements, ...insertTokensStatements(database, minted.rows)];
  await database.batch([first!, ...rest]);
  return respond(minted, scopes);
}

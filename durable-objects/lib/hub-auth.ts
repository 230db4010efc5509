// Access JWT → Principal for the live hub, which has no Hono context: the same checks as the `authenticate`
// middleware (signature, expiry, then the session and its user in D1), so a revoked session or a suspended
// user cannot open a socket — and, re-checked periodically, cannot keep one. API keys are not accepted here:
// API.md's live auth carries an access JWT.
import type { Bindings, Principal } from "../../src/env";
import { looksLikeJwt, verifyAccessToken } from "../../src/lib/jwt";
import { sessionState } from "../../src/db/credentials";

export async function principalFromAccessToken(
  env: Bindings,
  token: string,
  now = new Date(),
): Promise<Principal | null> {
  if (!looksLikeJwt(token)) return null;
  const claims = await verifyAccessToken(env, token);
  if (!claims) return null;
  return principalFromSession(env, claims.sid, claims.sub, now);
}

/** The session's principal while it is live (not revoked or expired, user neither suspended nor erased). */
export async function principalFromSession(
  env: Bindings,
  sessionId: string,
  userId: string,
  now = new Date(),
): Promise<Principal | null> {
  const state = await sessionState(env.DB, sessionId);
  if (
    !state ||
    state.userId !== userId ||
    state.revokedAt !== null ||
    state.expiresAt <= now.toISOString() ||
    state.suspended ||
    state.deletedAt !== null
  ) {
    return null;
  }
  return { userId: state.userId, role: state.role, sessionId: state.sessionId, scopes: null, apiKeyId: null };
}

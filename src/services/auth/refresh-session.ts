// Refresh-token rotation with reuse detection and a grace window (API.md POST /auth/refresh): the presented token
// dies and a successor is issued; presenting a replaced token again within 30 s of its rotation (two tabs, a
// retried request) returns the same successor pair; after that it is treated as theft and revokes the session.
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { refreshSuccessor } from "../../lib/identity-secrets";
import { tokenPair } from "../../lib/session-issue";
import { endLiveSessions } from "../../lib/live-sessions";
import { db } from "../../db/client";
import { findUserById } from "../../db/users";
import { findRefreshToken, revokeSessionStatement, rotateRefreshToken, type RefreshLookup } from "../../db/sessions";
import { replacedTokenVerdict } from "../../domain/identity-policy";

type Origin = { ip: string | null; userAgent: string | null };
export type TokenPair = Awaited<ReturnType<typeof tokenPair>>;

const invalid = () => new ApiError("AUTH002", "Refresh token is invalid, expired or revoked");

/**
 * Exchanges a refresh token for a new pair.
 * @param refreshToken the presented `ert_…` token
 * @returns the successor pair (the same pair to every presentation within the grace window)
 * @throws ApiError AUTH002 unknown, expired or revoked token, suspended or erased user, or reuse (session revoked)
 */
export async function refreshSession(env: Bindings, origin: Origin, refreshToken: string): Promise<TokenPair> {
  const now = new Date();
  const found = await findRefreshToken(env.DB, refreshToken);
  if (!found) throw invalid();
  if (found.replacedAt !== null) return answerReplaced(env, origin, refreshToken, found, now);
  if (found.sessionRevokedAt !== null || found.tokenExpiresAt <= now.toISOString()) throw invalid();
  const user = await findUserById(env.DB, found.userId);
  if (!user || user.suspended || user.deletedAt !== null) throw invalid();

  const successor = refreshSuccessor(env, refreshToken);
  const next = await rotateRefreshToken(env.DB, found, successor, origin, now);
  if (next === null) {
    // A concurrent refresh with the same token rotated it first: answer as that request did.
    const again = await findRefreshToken(env.DB, refreshToken);
    if (!again || again.replacedAt === null) throw invalid();
    return answerReplaced(env, origin, refreshToken, again, now);
  }
  return tokenPair({ env }, user, found.sessionId, next, now);
}

/** A replaced token: the same successor pair within the grace window, else reuse (the session is revoked). */
async function answerReplaced(
  env: Bindings,
  origin: Origin,
  presented: string,
  found: RefreshLookup,
  now: Date,
): Promise<TokenPair> {
  if (replacedTokenVerdict(found.replacedAt!, now) === "reuse") throw await revokeForReuse(env, origin, found, now);
  if (found.sessionRevokedAt !== null) throw invalid();
  const successor = refreshSuccessor(env, presented);
  const next = await findRefreshToken(env.DB, successor);
  // The successor was itself rotated already (a third refresh within the window): the caller holds a stale token
  // but is no thief; it gets AUTH002 without ending the session the other tab is using.
  if (!next || next.sessionId !== found.sessionId || next.replacedAt !== null) throw invalid();
  const user = await findUserById(env.DB, found.userId);
  if (!user || user.suspended || user.deletedAt !== null) throw invalid();
  // Issued at the rotation time, so the access token is byte-for-byte the one the first caller got.
  return tokenPair({ env }, user, found.sessionId, successor, new Date(Date.parse(found.replacedAt!)));
}

async function revokeForReuse(env: Bindings, origin: Origin, found: RefreshLookup, now: Date): Promise<ApiError> {
  await db(env.DB).batch([
    revokeSessionStatement(env.DB, found.sessionId, "refresh_reuse", now),
    auditInsert(
      env,
      {
        action: "auth.refresh.reused",
        actorId: found.userId,
        ...origin,
        resourceType: "session",
        resourceId: found.sessionId,
        data: { generation: found.generation },
      },
      now,
    ),
  ]);
  await endLiveSessions(env, found.userId, { why: "session_ended", sessionIds: [found.sessionId] });
  return invalid();
}

// Logging out: the current session (and the session of a refresh token sent along, if it is the caller's) is
// revoked, audited, and its live sockets close (4001) in every room.
import type { Bindings } from "../../env";
import { auditInsert } from "../../lib/audit";
import { endLiveSessions } from "../../lib/live-sessions";
import { db } from "../../db/client";
import { findRefreshToken, revokeSessionStatement } from "../../db/sessions";

/**
 * @param actor the caller's user and session, and the request's origin
 * @param refreshToken optional; killed too when it belongs to the caller
 * @returns `{ sessionId, revoked: true }`
 */
export async function logOut(
  env: Bindings,
  actor: { userId: string; sessionId: string; ip: string | null; userAgent: string | null },
  refreshToken: string | undefined,
) {
  const { userId, sessionId } = actor;
  const now = new Date();
  const other = refreshToken ? await findRefreshToken(env.DB, refreshToken) : null;
  const extra = other && other.userId === userId && other.sessionId !== sessionId ? [other.sessionId] : [];
  const origin = { ip: actor.ip, userAgent: actor.userAgent };
  await db(env.DB).batch([
    revokeSessionStatement(env.DB, sessionId, "logout", now),
    ...extra.map((id) => revokeSessionStatement(env.DB, id, "logout", now)),
    auditInsert(
      env,
      { action: "auth.logout", actorId: userId, ...origin, resourceType: "session", resourceId: sessionId },
      now,
    ),
  ]);
  // The session's live sockets close too (4001), in every room, within seconds.
  await endLiveSessions(env, userId, { why: "session_ended", sessionIds: [sessionId, ...extra] });
  return { sessionId, revoked: true as const };
}

// Revoking one of the caller's own sessions (a device they no longer trust): revoked and audited in one batch, and
// its live sockets close (4001) in every room. Someone else's session answers as if it did not exist.
import type { Bindings } from "../../env";
import { fail } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { endLiveSessions } from "../../lib/live-sessions";
import { db } from "../../db/client";
import { findUserSession, revokeSessionStatement } from "../../db/sessions";

/**
 * Revokes session `sessionId` of `actor.userId`; the next request with its tokens is refused.
 * @param actor the signed-in user and the request's ip and user agent
 * @throws ApiError RES001 when the session is unknown, already revoked, or another user's
 */
export async function revokeSession(
  env: Bindings,
  actor: { userId: string; ip: string | null; userAgent: string | null },
  sessionId: string,
): Promise<void> {
  const { userId, ...origin } = actor;
  const session = await findUserSession(env.DB, userId, sessionId);
  if (!session || session.revokedAt !== null) throw fail.notFound("Session");
  const now = new Date();
  await db(env.DB).batch([
    revokeSessionStatement(env.DB, sessionId, "user_revoked", now),
    auditInsert(
      env,
      { action: "auth.session.revoked", actorId: userId, ...origin, resourceType: "session", resourceId: sessionId },
      now,
    ),
  ]);
  await endLiveSessions(env, userId, { why: "session_ended", sessionIds: [sessionId] });
}

// Changing the password while signed in: the current password is checked (a miss is audited), the new one must
// differ, and every session but the caller's is revoked and its live sockets closed.
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { hashPassword, verifyPassword } from "../../lib/passwords";
import { endLiveSessions } from "../../lib/live-sessions";
import { db } from "../../db/client";
import { findUserById, setPasswordHash } from "../../db/users";
import { revokeUserSessionsStatement } from "../../db/sessions";
import type { AuditLogEvent } from "../../domain/events";

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/**
 * Sets the caller's new password.
 * @param actor the signed-in user, the session to keep, and the request's ip and user agent
 * @returns how many other sessions were revoked
 * @throws ApiError AUTH002 when the account is gone, AUTH001 when `currentPassword` is wrong, VAL001 when the new
 *   password equals the current one
 */
export async function changePassword(
  env: Bindings,
  actor: { userId: string; sessionId: string; ip: string | null; userAgent: string | null },
  input: ChangePasswordInput,
): Promise<{ sessionsRevoked: number }> {
  const { userId, sessionId, ...origin } = actor;
  const user = await findUserById(env.DB, userId);
  if (!user) throw new ApiError("AUTH002", "Access token is invalid, expired or revoked");
  const now = new Date();
  const audited = (action: AuditLogEvent, data?: Record<string, unknown>) =>
    auditInsert(
      env,
      { action, actorId: user.id, ...origin, resourceType: "user", resourceId: user.id, ...(data ? { data } : {}) },
      now,
    );
  if (!verifyPassword(input.currentPassword, user.passwordHash)) {
    await db(env.DB).batch([audited("auth.password.change_failed", { reason: "bad_password" })]);
    throw new ApiError("AUTH001", "Current password is wrong");
  }
  if (input.newPassword === input.currentPassword) {
    throw new ApiError("VAL001", "Request validation failed", {
      details: [{ path: "newPassword", message: "must differ from the current password" }],
    });
  }
  const [, revoked] = await db(env.DB).batch([
    setPasswordHash(env.DB, user.id, hashPassword(input.newPassword), now),
    revokeUserSessionsStatement(env.DB, user.id, "password_change", now, sessionId),
    audited("auth.password.changed"),
  ]);
  await endLiveSessions(env, user.id, { why: "session_ended", sessionIds: null, exceptSessionId: sessionId });
  return { sessionsRevoked: revoked.meta.changes };
}

// Confirming a password reset: the emailed single-use token sets a new password and signs out every session. The
// token proves control of the mailbox, so an account that was never verified becomes verified here — and is
// cleared of every credential and outward channel its unverified holder set up (see claimUnverifiedStatements).
import type { BatchItem } from "drizzle-orm/batch";
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { hashPassword } from "../../lib/passwords";
import { emailThrottleKey } from "../../lib/identity-secrets";
import { endLiveSessions } from "../../lib/live-sessions";
import { db } from "../../db/client";
import { findUserById, grantConfiguredAdmin, markEmailVerified, setPasswordHash } from "../../db/users";
import { consumeResetToken } from "../../db/password-resets";
import { revokeUserSessionsStatement } from "../../db/sessions";
import { clearLockState } from "../../db/login-throttles";
import { claimUnverifiedStatements } from "../../db/user-data";
import { isAdminEmail } from "../../domain/identity-policy";

export interface ConfirmPasswordResetInput {
  token: string;
  newPassword: string;
}

/**
 * Sets the new password of the token's account and revokes all its sessions.
 * @param origin the request's ip and user agent, for the audit trail
 * @returns how many sessions were revoked
 * @throws ApiError AUTH001 when the token is unknown, used, expired, or its account is gone or suspended
 */
export async function confirmPasswordReset(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  input: ConfirmPasswordResetInput,
): Promise<{ sessionsRevoked: number }> {
  const now = new Date();
  // Hash first: a malformed request must not burn the token.
  const passwordHash = hashPassword(input.newPassword);
  const userId = await consumeResetToken(env.DB, input.token, now);
  if (!userId) throw new ApiError("AUTH001", "Invalid or expired reset token");
  const user = await findUserById(env.DB, userId);
  if (!user || user.deletedAt !== null || user.suspended)
    throw new ApiError("AUTH001", "Invalid or expired reset token");
  const claiming = user.emailVerifiedAt === null;
  const claim: BatchItem<"sqlite">[] = claiming
    ? await claimUnverifiedStatements(db(env.DB), user, now.toISOString())
    : [];
  const [, revoked] = await db(env.DB).batch([
    setPasswordHash(env.DB, user.id, passwordHash, now),
    revokeUserSessionsStatement(env.DB, user.id, "password_reset", now),
    // The claim runs before the verification: its guarded update matches only while the address is unverified.
    ...claim,
    ...(claiming ? [markEmailVerified(env.DB, user.id, now)] : []),
    ...(claiming && user.role === "user" && isAdminEmail(env.ADMIN_EMAILS, user.email)
      ? [grantConfiguredAdmin(env.DB, user.id, now)]
      : []),
    // A lockout from guessing is lifted too.
    clearLockState(env.DB, emailThrottleKey(env, user.email)),
    auditInsert(
      env,
      {
        action: "auth.password.reset",
        actorId: user.id,
        ...origin,
        resourceType: "user",
        resourceId: user.id,
        ...(claiming ? { data: { claimedUnverified: true } } : {}),
      },
      now,
    ),
  ]);
  await endLiveSessions(env, user.id, { why: "session_ended", sessionIds: null });
  return { sessionsRevoked: revoked.meta.changes };
}

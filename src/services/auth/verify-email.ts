// Confirming an email address with the emailed code: attempts spent before comparing, the code consumed, the
// address marked verified, and an address listed in ADMIN_EMAILS granted the admin role at that moment. The code
// proves the mailbox as a password reset does, so the same claim runs (claimUnverifiedStatements): what the account's
// holder set up before anyone proved the address (keys, providers, MFA, webhooks, approval rules, invitations) goes.
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { timingSafeEqual } from "../../lib/crypto";
import { hashCode } from "../../lib/identity-secrets";
import { db } from "../../db/client";
import { findUserByEmail, findUserById, grantConfiguredAdmin, markEmailVerified, type UserRow } from "../../db/users";
import { claimUnverifiedStatements } from "../../db/user-data";
import { consumeVerification, latestLiveVerification, spendAttempt } from "../../db/email-verifications";
import { isAdminEmail, normaliseEmail } from "../../domain/identity-policy";

/**
 * @param input the address and the 6-digit code
 * @returns the user, now verified (and admin when configured)
 * @throws AUTH001 unknown or already verified address, no live code, attempts exhausted, or a wrong code
 */
export async function verifyEmail(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  input: { email: string; code: string },
): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const now = new Date();
  const invalid = () => new ApiError("AUTH001", "Invalid or expired verification code");
  const user = await findUserByEmail(env.DB, email);
  if (!user || user.emailVerifiedAt !== null || user.deletedAt !== null) throw invalid();
  const pending = await latestLiveVerification(env.DB, user.id, now);
  // The attempt is spent before comparing, so parallel guesses cannot exceed the limit.
  if (!pending || !(await spendAttempt(env.DB, pending.id))) throw invalid();
  const presented = hashCode(env, "verify-email", user.id, input.code);
  if (!timingSafeEqual(presented, pending.codeHash)) {
    const entry = {
      action: "auth.email_verification.failed" as const,
      actorId: user.id,
      ...origin,
      resourceType: "user",
      resourceId: user.id,
    };
    await auditInsert(env, entry);
    throw invalid();
  }
  const becomesAdmin = user.role === "user" && isAdminEmail(env.ADMIN_EMAILS, user.email);
  const granted = { from: "user", to: "admin", reason: "ADMIN_EMAILS" };
  const claim = await claimUnverifiedStatements(db(env.DB), user, now.toISOString());
  await db(env.DB).batch([
    consumeVerification(env.DB, pending.id, now),
    // The claim runs before the verification: its guarded update matches only while the address is unverified.
    ...claim,
    markEmailVerified(env.DB, user.id, now),
    auditInsert(
      env,
      { action: "auth.email_verified", actorId: user.id, ...origin, resourceType: "user", resourceId: user.id },
      now,
    ),
    ...(becomesAdmin
      ? [
          grantConfiguredAdmin(env.DB, user.id, now),
          auditInsert(
            env,
            {
              action: "admin.user.role_changed",
              actorId: null,
              ...origin,
              resourceType: "user",
              resourceId: user.id,
              data: granted,
            },
            now,
          ),
        ]
      : []),
  ]);
  // Read back: the claim changed the profile too (MFA, phone).
  const after = await findUserById(env.DB, user.id);
  if (!after) throw invalid();
  return after;
}

// Emailing a new verification code to an unverified account; run after the response (the route answers 202 alike
// for any address), so its timing does not reveal whether the email is registered.
import type { Bindings } from "../../env";
import { auditInsert } from "../../lib/audit";
import { randomBytes } from "../../lib/crypto";
import { hashCode } from "../../lib/identity-secrets";
import { db } from "../../db/client";
import { findUserByEmail } from "../../db/users";
import { newVerificationStatements } from "../../db/email-verifications";
import { sixDigitCode } from "../../domain/identity-policy";
import { emailVerificationCode } from "./register-account";

/** @param email normalised; nothing happens for an unknown, verified, erased or suspended account */
export async function resendVerification(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  email: string,
): Promise<void> {
  const user = await findUserByEmail(env.DB, email);
  if (!user || user.emailVerifiedAt !== null || user.deletedAt !== null || user.suspended) return;
  const now = new Date();
  const code = sixDigitCode(randomBytes);
  await db(env.DB).batch([
    ...newVerificationStatements(env.DB, user.id, hashCode(env, "verify-email", user.id, code), now),
    auditInsert(
      env,
      {
        action: "auth.email_verification.resent",
        actorId: user.id,
        ...origin,
        resourceType: "user",
        resourceId: user.id,
      },
      now,
    ),
  ]);
  await emailVerificationCode(env, user, code);
}

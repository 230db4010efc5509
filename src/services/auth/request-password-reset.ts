// Requesting a password reset: an active account gets a single-use token by email; an unknown, closed or suspended
// address leaves only an audit line. The route runs this after answering, so its timing says nothing of the account.
import type { Bindings } from "../../env";
import { auditInsert } from "../../lib/audit";
import { sendEmail } from "../../lib/email";
import { db } from "../../db/client";
import { findUserByEmail } from "../../db/users";
import { newResetStatements } from "../../db/password-resets";
import { PASSWORD_RESET_TTL_MINUTES } from "../../domain/identity-policy";

/**
 * Issues and emails a reset token for `email` (already normalised), valid PASSWORD_RESET_TTL_MINUTES minutes.
 * @param origin the request's ip and user agent, for the audit trail
 */
export async function requestPasswordReset(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  email: string,
): Promise<void> {
  const user = await findUserByEmail(env.DB, email);
  const now = new Date();
  if (!user || user.deletedAt !== null || user.suspended) {
    await db(env.DB).batch([
      auditInsert(
        env,
        { action: "auth.password.reset_requested", actorId: null, ...origin, data: { known: false } },
        now,
      ),
    ]);
    return;
  }
  const { token, statements } = newResetStatements(env.DB, user.id, now);
  await db(env.DB).batch([
    ...statements,
    auditInsert(
      env,
      {
        action: "auth.password.reset_requested",
        actorId: user.id,
        ...origin,
        resourceType: "user",
        resourceId: user.id,
        data: { known: true },
      },
      now,
    ),
  ]);
  await sendEmail(env, {
    to: user.email,
    template: "password-reset",
    data: { name: user.name, token, expiresInMinutes: PASSWORD_RESET_TTL_MINUTES },
    userId: user.id,
  });
}

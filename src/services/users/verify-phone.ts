// Confirming a phone number with its SMS code: the same rules as email codes (hashed at rest, attempts spent
// before comparing, 5 per code, rate limited per user); success makes the number the user's verified phone.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { auditFromRequest, auditInsert, requestOrigin } from "../../lib/audit";
import { timingSafeEqual } from "../../lib/crypto";
import { hashCode } from "../../lib/identity-secrets";
import { limitAccount } from "../../lib/auth-limits";
import { db } from "../../db/client";
import { findUserById, setVerifiedPhone, userView } from "../../db/users";
import { consumeVerification, latestLiveVerification, spendAttempt } from "../../db/email-verifications";

export const verifyPhoneInput = z
  .object({ code: z.string().regex(/^\d{6}$/, "must be 6 digits") })
  .strict()
  .openapi("VerifyPhone");

/**
 * Checks the caller's latest SMS code and, when it matches, records the number it was sent to as verified.
 * @returns `{ user }` with `phone` and `phoneVerified: true`
 * @throws ApiError AUTH001 (wrong, expired, used, or out of attempts — one message for all), RATE001
 */
export async function verifyPhone(
  c: Context<AppEnv>,
  actor: { userId: string },
  input: z.infer<typeof verifyPhoneInput>,
) {
  await limitAccount(c, "verifyPhone", { userId: actor.userId });
  const user = await findUserById(c.env.DB, actor.userId);
  if (!user || user.deletedAt) throw fail.notFound("User");
  const now = new Date();
  const invalid = () => new ApiError("AUTH001", "Invalid or expired verification code");
  const pending = await latestLiveVerification(c.env.DB, user.id, now, "phone");
  // The attempt is spent before comparing, so parallel guesses cannot exceed the limit.
  if (!pending?.target || !(await spendAttempt(c.env.DB, pending.id))) throw invalid();
  if (!timingSafeEqual(hashCode(c.env, "verify-phone", user.id, input.code), pending.codeHash)) {
    await auditFromRequest(c, {
      action: "user.phone.verification_failed",
      actorId: user.id,
      resourceType: "user",
      resourceId: user.id,
    });
    throw invalid();
  }
  await db(c.env.DB).batch([
    consumeVerification(c.env.DB, pending.id, now),
    setVerifiedPhone(c.env.DB, user.id, pending.target, now),
    auditInsert(
      c.env,
      {
        action: "user.phone.verified",
        actorId: user.id,
        ...requestOrigin(c),
        resourceType: "user",
        resourceId: user.id,
      },
      now,
    ),
  ]);
  return { user: userView({ ...user, phone: pending.target, phoneVerifiedAt: now.toISOString() }) };
}

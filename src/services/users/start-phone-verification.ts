// Adding a phone number: validate it (E.164, SMS-capable), store a hashed 6-digit code bound to that number
// (5-minute life, 5 attempts: the email-code mechanism) and queue the SMS; the number counts once verified.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { auditInsert, requestOrigin } from "../../lib/audit";
import { randomBytes } from "../../lib/crypto";
import { hashCode } from "../../lib/identity-secrets";
import { limitAccount } from "../../lib/auth-limits";
import { queueSms, smsProviderFor } from "../../lib/sms";
import { db } from "../../db/client";
import { findUserById } from "../../db/users";
import { newVerificationStatements } from "../../db/email-verifications";
import { PHONE_CODE_TTL_MINUTES, addMinutes, sixDigitCode } from "../../domain/identity-policy";
import { checkPhone } from "../../domain/phone";

export const phoneInput = z
  .object({ phone: z.string().trim().min(2).max(32).openapi({ example: "+2348012345678", description: "E.164" }) })
  .strict()
  .openapi("PhoneNumber");

export const phoneCodeSent = z
  .object({
    phone: z.string().openapi({ example: "+2348012345678" }),
    expiresAt: z.string().openapi({ description: "when the code stops working (ISO 8601 UTC)" }),
  })
  .openapi("PhoneCodeSent");

/**
 * Sends a verification code by SMS to `input.phone` for the caller. A new code retires the previous one.
 * @returns `{ phone, expiresAt }` (the canonical E.164 number; the code's expiry, 5 minutes on)
 * @throws ApiError VAL001 (not E.164, invalid, or a landline), RES002 (already the caller's verified number),
 *   RATE001 (more than 5 codes an hour), SYS002 (no SMS provider configured, or the queue is down)
 */
export async function startPhoneVerification(
  c: Context<AppEnv>,
  actor: { userId: string },
  input: z.infer<typeof phoneInput>,
) {
  const checked = checkPhone(input.phone);
  if (!checked.ok) throw fail.invalid([{ path: "phone", message: checked.reason }]);
  if (!smsProviderFor(c.env)) throw new ApiError("SYS002", "SMS is not available on this deployment");
  const user = await findUserById(c.env.DB, actor.userId);
  if (!user || user.deletedAt) throw fail.notFound("User");
  if (user.phone === checked.phone && user.phoneVerifiedAt) {
    throw fail.conflict("This number is already your verified phone", { phone: checked.phone });
  }
  await limitAccount(c, "sendPhoneCode", { userId: user.id });

  const now = new Date();
  const code = sixDigitCode(randomBytes);
  await db(c.env.DB).batch([
    ...newVerificationStatements(
      c.env.DB,
      user.id,
      hashCode(c.env, "verify-phone", user.id, code),
      now,
      "phone",
      checked.phone,
    ),
    auditInsert(
      c.env,
      {
        action: "user.phone.code_sent",
        actorId: user.id,
        ...requestOrigin(c),
        resourceType: "user",
        resourceId: user.id,
        data: { country: checked.country },
      },
      now,
    ),
  ]);
  try {
    await queueSms(c.env, {
      to: checked.phone,
      text: `Your Escra verification code is ${code}. It expires in ${PHONE_CODE_TTL_MINUTES} minutes. Never share it.`,
    });
  } catch {
    // The stored code is useless without its SMS; asking again issues a fresh one (and retires this one).
    throw new ApiError("SYS002", "The SMS could not be queued; try again");
  }
  return { phone: checked.phone, expiresAt: addMinutes(now, PHONE_CODE_TTL_MINUTES).toISOString() };
}

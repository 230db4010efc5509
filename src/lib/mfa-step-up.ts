// Step-up confirmation: an account-defining change (payout account, turning MFA off) made while MFA is on needs a
// fresh one-time code from the person, not only their session, so a stolen session cannot redirect money.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";
import { hashCode, openTotpSecret } from "./identity-secrets";
import { limitAccount } from "./auth-limits";
import { claimTotpStep, type UserRow } from "../db/users";
import { useRecoveryCode } from "../db/mfa";
import { base32Decode, verifyTotp } from "../domain/totp";
import { looksLikeRecoveryCode, normaliseRecoveryCode } from "../domain/identity-policy";

const wrongCode = () => new ApiError("AUTH005", "Invalid one-time code");

/**
 * Consumes a TOTP code (RFC 6238, each time step once) or a recovery code (once) of `user`.
 * @param code 6 digits, or a recovery code; spaces are ignored
 * @returns which kind of code was used
 * @throws ApiError AUTH005 when the code is wrong or already used; RATE001 past the per-account attempt limit
 */
export async function consumeMfaCode(
  c: Context<AppEnv>,
  user: Pick<UserRow, "id" | "mfaSecretSealed" | "mfaLastStep">,
  code: string,
  now: Date,
): Promise<"totp" | "recovery_code"> {
  await limitAccount(c, "userSecretCheck", { userId: user.id });
  const compact = code.replace(/\s/g, "");
  if (/^\d{6}$/.test(compact) && user.mfaSecretSealed) {
    const secret = base32Decode(openTotpSecret(c.env, user.id, user.mfaSecretSealed));
    const step = verifyTotp(secret, compact, now.getTime(), { lastUsedStep: user.mfaLastStep });
    if (step === null || !(await claimTotpStep(c.env.DB, user.id, step, now))) throw wrongCode();
    return "totp";
  }
  if (looksLikeRecoveryCode(compact)) {
    const hash = hashCode(c.env, "recovery", user.id, normaliseRecoveryCode(compact));
    if (await useRecoveryCode(c.env.DB, user.id, hash, now)) return "recovery_code";
  }
  throw wrongCode();
}

/**
 * When `user` has MFA on, requires and consumes `mfaCode`; with MFA off it passes (there is nothing to step up to).
 * @throws ApiError AUTH005 with `details.mfaRequired: true` when the code is missing, AUTH005 when it is wrong
 */
export async function requireFreshMfa(
  c: Context<AppEnv>,
  user: Pick<UserRow, "id" | "mfaEnabled" | "mfaSecretSealed" | "mfaLastStep">,
  mfaCode: string | undefined,
  now: Date,
): Promise<void> {
  if (!user.mfaEnabled) return;
  if (!mfaCode) {
    throw new ApiError("AUTH005", "MFA is on for this account: send a current one-time code as mfaCode", {
      details: { mfaRequired: true },
    });
  }
  await consumeMfaCode(c, user, mfaCode, now);
}

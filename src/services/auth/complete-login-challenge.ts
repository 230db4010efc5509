// The second factor of a provider sign-in on an account with MFA on: the challenge from the callback's AUTH005 plus a
// TOTP or recovery code start the session, exactly as a password login with `mfaCode` does.
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert, requestOrigin } from "../../lib/audit";
import { limitAccount } from "../../lib/auth-limits";
import { consumeMfaCode } from "../../lib/mfa-step-up";
import { startSession } from "../../lib/session-issue";
import { db } from "../../db/client";
import { spendChallengeAttempt, useChallengeStatement } from "../../db/oidc";
import { findUserById } from "../../db/users";

export interface CompleteLoginChallengeInput {
  challenge: string;
  mfaCode: string;
}

/**
 * @returns the login response (token pair + user)
 * @throws ApiError AUTH001 when the challenge is unknown, expired, used or out of attempts (5); AUTH005 for a wrong
 *   code; AUTH003 for a suspended account; RATE001 past the per-account limit
 */
export async function completeLoginChallenge(c: Context<AppEnv>, input: CompleteLoginChallengeInput) {
  const now = new Date();
  const spent = await spendChallengeAttempt(c.env.DB, input.challenge, now);
  const expired = () => new ApiError("AUTH001", "This sign-in challenge is unknown, expired or used up; sign in again");
  if (!spent) throw expired();
  const user = await findUserById(c.env.DB, spent.userId);
  if (!user || user.deletedAt !== null) throw expired();
  if (user.suspended) throw new ApiError("AUTH003", "This account is suspended");
  await limitAccount(c, "loginChallenge", { userId: user.id });
  let mfa: "totp" | "recovery_code";
  try {
    mfa = await consumeMfaCode(c, user, input.mfaCode, now);
  } catch (error) {
    if (error instanceof ApiError && error.code === "AUTH005") {
      await db(c.env.DB).batch([
        auditInsert(
          c.env,
          {
            action: "auth.login.failed",
            actorId: user.id,
            ...requestOrigin(c),
            resourceType: "user",
            resourceId: user.id,
            data: { reason: "bad_mfa_code", method: spent.method },
          },
          now,
        ),
      ]);
    }
    throw error;
  }
  return startSession(c.env, requestOrigin(c), user, { method: spent.method, mfa }, now, [
    useChallengeStatement(c.env.DB, input.challenge, now),
  ]);
}

// The login policy: lockout after repeated failures, the same argon2id work for unknown emails and wrong
// passwords, suspended accounts refused, the second factor (TOTP step used once, or a recovery code used once),
// then a new session; every failure is audited and counted towards the lockout.
import type { z } from "@hono/zod-openapi";
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "../../lib/passwords";
import { emailThrottleKey, hashCode, openTotpSecret } from "../../lib/identity-secrets";
import { startSession } from "../../lib/session-issue";
import { claimTotpStep, findUserByEmail, hasPassword, setPasswordHash } from "../../db/users";
import { clearLockState, readLockState, recordLoginFailure } from "../../db/login-throttles";
import { useRecoveryCode } from "../../db/mfa";
import {
  lockSecondsRemaining,
  looksLikeRecoveryCode,
  normaliseEmail,
  normaliseRecoveryCode,
} from "../../domain/identity-policy";
import { base32Decode, verifyTotp } from "../../domain/totp";
import type { loginBody } from "../../schemas/auth";
import type { AuditLogEvent } from "../../domain/events";

export type LogInInput = z.infer<typeof loginBody>;

/**
 * Logs in with email + password (+ `mfaCode` when MFA is on).
 * @param origin the request's IP and user agent, for the session and the audit
 * @returns the token pair of the new session
 * @throws AUTH007 locked (Retry-After), AUTH001 unknown email or wrong password, AUTH003 suspended,
 *   AUTH005 second factor missing or wrong (`details.mfaRequired`)
 */
export async function logIn(env: Bindings, origin: { ip: string | null; userAgent: string | null }, input: LogInInput) {
  const email = normaliseEmail(input.email);
  const now = new Date();
  const d1 = env.DB;
  const audit = (entry: { reason: string; userId: string | null; emailKey?: string }) =>
    auditInsert(
      env,
      {
        action: "auth.login.failed",
        actorId: entry.userId,
        ...origin,
        resourceType: entry.userId ? "user" : null,
        resourceId: entry.userId,
        data: entry.emailKey ? { reason: entry.reason, emailKey: entry.emailKey } : { reason: entry.reason },
      },
      now,
    );
  const lockKey = emailThrottleKey(env, email);
  // Both reads in flight together (one round trip of waiting, not two); the lock is still decided first.
  const [lock, user] = await Promise.all([readLockState(d1, lockKey), findUserByEmail(d1, email)]);
  const locked = lockSecondsRemaining(lock, now);
  if (locked > 0) {
    await audit({ reason: "locked", userId: null, emailKey: lockKey.slice(0, 16) });
    throw new ApiError("AUTH007", "Too many failed attempts; the account is temporarily locked", {
      headers: { "Retry-After": String(locked) },
      details: { retryAfterSeconds: locked },
    });
  }

  const failLogin = async (reason: string, userId: string | null, error: ApiError): Promise<never> => {
    const after = await recordLoginFailure(d1, lockKey, now);
    if (lockSecondsRemaining(after, now) > 0) {
      // This failure engaged the lock (a locked address is refused above before any check).
      const lockedEvent: AuditLogEvent = "auth.account.locked";
      await auditInsert(
        env,
        {
          action: lockedEvent,
          actorId: userId,
          ...origin,
          resourceType: userId ? "user" : null,
          resourceId: userId,
          data: { lockedUntil: after.lockedUntil, emailKey: lockKey.slice(0, 16) },
        },
        now,
      );
    }
    await audit({ reason, userId });
    throw error;
  };
  const badCredentials = () => new ApiError("AUTH001", "Invalid email or password");

  if (!user || user.deletedAt !== null) {
    verifyAgainstDummy(input.password);
    return failLogin("unknown_email", null, badCredentials());
  }
  // An account made by a provider sign-in has no password: the same work and answer as a wrong one.
  if (!hasPassword(user)) {
    verifyAgainstDummy(input.password);
    return failLogin("no_password", user.id, badCredentials());
  }
  if (!verifyPassword(input.password, user.passwordHash)) return failLogin("bad_password", user.id, badCredentials());
  if (user.suspended) {
    await audit({ reason: "suspended", userId: user.id });
    throw new ApiError("AUTH003", "This account is suspended");
  }

  const extra = [];
  let mfaMethod: "totp" | "recovery_code" | null = null;
  if (user.mfaEnabled) {
    const mfaError = (message: string) => new ApiError("AUTH005", message, { details: { mfaRequired: true } });
    if (!input.mfaCode) throw mfaError("A one-time code from your authenticator app is required");
    const code = input.mfaCode.replace(/\s/g, "");
    if (/^\d{6}$/.test(code)) {
      // The sealed secret is present whenever MFA is enabled (set together when MFA is confirmed).
      const secret = base32Decode(openTotpSecret(env, user.id, user.mfaSecretSealed!));
      const step = verifyTotp(secret, code, now.getTime(), { lastUsedStep: user.mfaLastStep });
      if (step === null || !(await claimTotpStep(d1, user.id, step, now))) {
        return failLogin("bad_mfa_code", user.id, mfaError("Invalid one-time code"));
      }
      mfaMethod = "totp";
    } else if (looksLikeRecoveryCode(code)) {
      const used = await useRecoveryCode(
        d1,
        user.id,
        hashCode(env, "recovery", user.id, normaliseRecoveryCode(code)),
        now,
      );
      if (!used) return failLogin("bad_recovery_code", user.id, mfaError("Invalid one-time code"));
      mfaMethod = "recovery_code";
    } else {
      return failLogin("bad_mfa_code", user.id, mfaError("Invalid one-time code"));
    }
  }

  if (lock) extra.push(clearLockState(d1, lockKey));
  // Parameters raised since this hash was made: upgrade it now that we hold the password.
  if (needsRehash(user.passwordHash)) extra.push(setPasswordHash(d1, user.id, hashPassword(input.password), now));
  return startSession(env, origin, user, { mfa: mfaMethod }, now, extra);
}

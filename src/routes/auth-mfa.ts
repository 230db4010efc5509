// /auth/mfa: TOTP enrolment (enable → verify → on, with ten single-use recovery codes) and disabling.
// The secret is sealed with AES-256-GCM at rest; codes are checked with ±1 step and never accepted twice.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { answers, bearerRoute, envelope, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { principalOf, requireSession } from "../lib/auth";
import { auditInsert, auditRow, requestOrigin } from "../lib/audit";
import { randomBytes } from "../lib/crypto";
import { hashCode, openTotpSecret, sealTotpSecret } from "../lib/identity-secrets";
import { limitAccount } from "../lib/auth-limits";
import { consumeMfaCode } from "../lib/mfa-step-up";
import { db } from "../db/client";
import { findUserById, updateMfa, type UserRow } from "../db/users";
import { deleteRecoveryCodesStatement, enableMfaOnce, startMfaEnrolment } from "../db/mfa";
import { base32Decode, base32Encode, otpauthUrl, verifyTotp } from "../domain/totp";
import { RECOVERY_CODE_COUNT, normaliseRecoveryCode, recoveryCode } from "../domain/identity-policy";

const codeBody = z
  .object({
    code: z
      .string()
      .trim()
      .min(6)
      .max(20)
      .openapi({ example: "123456", description: "a TOTP code (disable also takes a recovery code)" }),
  })
  .openapi("MfaCode");

const enableRoute = createRoute({
  ...bearerRoute("Auth", requireSession(), secretResponse),
  method: "post",
  path: "/auth/mfa/enable",
  summary: "Start TOTP enrolment: returns the secret and an otpauth:// URL to scan",
  description:
    "MFA is not on until /auth/mfa/verify confirms a code. Calling again restarts enrolment with a new secret.",
  responses: answers(
    200,
    envelope(
      z
        .object({ secret: z.string().openapi({ description: "base32" }), otpauthUrl: z.string() })
        .openapi("MfaEnrolment"),
    ),
    "enrolment started",
    "AUTH003",
    "AUTH004",
    "RES002",
  ),
});

const verifyRoute = createRoute({
  ...bearerRoute("Auth", requireSession(), secretResponse),
  method: "post",
  path: "/auth/mfa/verify",
  summary: "Confirm enrolment with a code; turns MFA on and returns ten recovery codes (shown once)",
  request: { body: jsonBody(codeBody) },
  responses: answers(
    200,
    envelope(z.object({ recoveryCodes: z.array(z.string()) }).openapi("MfaRecoveryCodes")),
    "MFA on",
    "AUTH003",
    "AUTH004",
    "AUTH005",
    "RES002",
  ),
});

const disableRoute = createRoute({
  ...bearerRoute("Auth", requireSession()),
  method: "post",
  path: "/auth/mfa/disable",
  summary: "Turn MFA off (needs a valid TOTP or recovery code)",
  request: { body: jsonBody(codeBody) },
  responses: answers(
    200,
    envelope(z.object({ mfaEnabled: z.literal(false) })),
    "MFA off",
    "AUTH003",
    "AUTH004",
    "AUTH005",
    "RES002",
  ),
});

const wrongCode = () => new ApiError("AUTH005", "Invalid one-time code");

async function caller(c: Context<AppEnv>): Promise<UserRow> {
  const user = await findUserById(c.env.DB, principalOf(c).userId);
  if (!user) throw new ApiError("AUTH002", "Access token is invalid, expired or revoked");
  return user;
}

export const authMfaRoutes = createRouter()
  .openapi(enableRoute, async (c) => {
    const user = await caller(c);
    if (user.mfaEnabled) throw new ApiError("RES002", "MFA is already on; disable it first to enrol a new device");
    const secret = base32Encode(randomBytes(20));
    if (!(await startMfaEnrolment(c.env.DB, user.id, sealTotpSecret(c.env, user.id, secret), new Date()))) {
      throw new ApiError("RES002", "MFA is already on; disable it first to enrol a new device");
    }
    return ok(
      c,
      { secret, otpauthUrl: otpauthUrl({ secretBase32: secret, account: user.email, issuer: "Escra" }) },
      200,
    );
  })

  .openapi(verifyRoute, async (c) => {
    const user = await caller(c);
    await limitAccount(c, "userSecretCheck", { userId: user.id });
    if (user.mfaEnabled) throw new ApiError("RES002", "MFA is already on");
    if (!user.mfaSecretSealed) throw new ApiError("RES002", "Start enrolment with /auth/mfa/enable first");
    const now = new Date();
    const secret = base32Decode(openTotpSecret(c.env, user.id, user.mfaSecretSealed));
    const step = verifyTotp(secret, c.req.valid("json").code, now.getTime(), { lastUsedStep: user.mfaLastStep });
    if (step === null) throw wrongCode();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => recoveryCode(randomBytes));
    const hashes = codes.map((code) => hashCode(c.env, "recovery", user.id, normaliseRecoveryCode(code)));
    const audit = auditRow(
      { action: "auth.mfa.enabled", actorId: user.id, ...requestOrigin(c), resourceType: "user", resourceId: user.id },
      now,
    );
    const sealed = user.mfaSecretSealed;
    const enabled = await enableMfaOnce(c.env.DB, {
      userId: user.id,
      secretSealed: sealed,
      step,
      codeHashes: hashes,
      audit,
      now,
    });
    if (!enabled) throw new ApiError("RES002", "MFA was turned on or its enrolment restarted meanwhile");
    return ok(c, { recoveryCodes: codes }, 200);
  })

  .openapi(disableRoute, async (c) => {
    const user = await caller(c);
    if (!user.mfaEnabled || !user.mfaSecretSealed) throw new ApiError("RES002", "MFA is not on");
    const now = new Date();
    const method = await consumeMfaCode(c, user, c.req.valid("json").code, now);
    await db(c.env.DB).batch([
      updateMfa(c.env.DB, user.id, { mfaEnabled: false, mfaSecretSealed: null, mfaLastStep: null }, now),
      deleteRecoveryCodesStatement(c.env.DB, user.id),
      auditInsert(
        c.env,
        {
          action: "auth.mfa.disabled",
          actorId: user.id,
          ...requestOrigin(c),
          resourceType: "user",
          resourceId: user.id,
          data: { method },
        },
        now,
      ),
    ]);
    return ok(c, { mfaEnabled: false as const }, 200);
  });

// /auth: accounts (register, email verification), login with lockout and MFA, refresh-token rotation with reuse
// detection, logout and /auth/me. Enumeration: login, resend and reset answer alike for unknown emails (same
// error, same argon2 work); register must say "taken" (RES002) to be usable, so it is rate limited per IP instead.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { principalOf, publicRoute, requireScope, requireSession } from "../lib/auth";
import { auditFromRequest, auditInsert, requestOrigin } from "../lib/audit";
import { randomBytes, timingSafeEqual } from "../lib/crypto";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "../lib/passwords";
import { emailThrottleKey, hashCode, openTotpSecret } from "../lib/identity-secrets";
import { ipLimit, limitAccount } from "../lib/auth-limits";
import { startSession } from "../lib/session-issue";
import { endLiveSessions } from "../lib/live-sessions";
import { emailVerificationCode, registerAccount } from "../services/auth/register-account";
import { refreshSession } from "../services/auth/refresh-session";
import { runInBackground } from "../lib/background";
import { db } from "../db/client";
import {
  findUserByEmail,
  findUserById,
  grantConfiguredAdmin,
  markEmailVerified,
  claimTotpStep,
  setPasswordHash,
  userView,
} from "../db/users";
import { consumeVerification, latestLiveVerification, newVerificationStatements, spendAttempt } from "../db/email-verifications";
import { clearLockState, readLockState, recordLoginFailure } from "../db/login-throttles";
import { findRefreshToken, revokeSessionStatement } from "../db/sessions";
import { useRecoveryCode } from "../db/mfa";
import {
  isAdminEmail,
  lockSecondsRemaining,
  looksLikeRecoveryCode,
  normaliseEmail,
  normaliseRecoveryCode,
  sixDigitCode,
} from "../domain/identity-policy";
import { base32Decode, verifyTotp } from "../domain/totp";
import { ACCOUNT_TYPES } from "../db/schema/identity";
import {
  acceptedSchema,
  bearerSecurity,
  emailField,
  loginPasswordField,
  passwordField,
  tokenPairSchema,
  userEnvelopeData,
} from "../schemas/auth";

const tags = ["Auth"];

// ---- register ----

const registerBody = z
  .object({
    email: emailField,
    password: passwordField,
    name: z.string().trim().min(1).max(200),
    accountType: z.enum(ACCOUNT_TYPES).default("personal"),
    company: z.string().trim().min(1).max(200).optional(),
    industry: z.string().trim().min(1).max(100).optional(),
  })
  .refine((b) => b.accountType !== "business" || b.company !== undefined, {
    path: ["company"],
    message: "is required for a business account",
  })
  .openapi("Register");

const registerRoute = createRoute({
  method: "post",
  path: "/auth/register",
  middleware: [publicRoute(), ipLimit("register")],
  tags,
  summary: "Create an account; a 6-digit verification code is emailed",
  description:
    "An email held by a verified account answers 409 RES002 (an account form must be able to say so); the route is " +
    "rate limited per IP so this cannot be used to enumerate addresses at scale. An address held only by an " +
    "unverified account is registered again: that account is replaced (retired, its sessions ended). Unverified " +
    "accounts expire after 7 days and are granted nothing addressed to their email.",
  request: { body: jsonBody(registerBody) },
  responses: {
    201: jsonContent(envelope(userEnvelopeData), "created (email not yet verified)"),
    ...errorResponses("RES002"),
  },
});

// ---- verify / resend ----

const verifyBody = z
  .object({ email: emailField, code: z.string().regex(/^\d{6}$/, "must be 6 digits") })
  .openapi("VerifyEmail");

const verifyRoute = createRoute({
  method: "post",
  path: "/auth/verify-email",
  middleware: [publicRoute(), ipLimit("verifyEmail")],
  tags,
  summary: "Confirm the email address with the emailed code",
  description: "A code expires after 10 minutes or 5 wrong attempts (then ask for a new one).",
  request: { body: jsonBody(verifyBody) },
  responses: {
    200: jsonContent(envelope(userEnvelopeData), "verified"),
    ...errorResponses("AUTH001"),
  },
});

const resendRoute = createRoute({
  method: "post",
  path: "/auth/resend-verification",
  middleware: [publicRoute(), ipLimit("resendVerification")],
  tags,
  summary: "Email a new verification code",
  description: "Always 202, whether or not the address has an unverified account.",
  request: { body: jsonBody(z.object({ email: emailField }).openapi("ResendVerification")) },
  responses: { 202: jsonContent(envelope(acceptedSchema), "accepted"), ...errorResponses() },
});

// ---- login / refresh / logout / me ----

const loginBody = z
  .object({
    email: emailField,
    password: loginPasswordField,
    mfaCode: z.string().trim().min(6).max(20).optional().openapi({ description: "TOTP code or a recovery code" }),
  })
  .openapi("Login");

const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  middleware: [publicRoute(), ipLimit("login")],
  tags,
  summary: "Log in; returns an access JWT and a refresh token",
  description:
    "Unknown email and wrong password both answer AUTH001 after the same argon2id work. With MFA on, a missing or " +
    "wrong `mfaCode` answers AUTH005 with `details.mfaRequired`. Five consecutive failures lock the email for 15 " +
    "minutes (423 AUTH007 with Retry-After).",
  request: { body: jsonBody(loginBody) },
  responses: {
    200: jsonContent(envelope(tokenPairSchema), "logged in"),
    ...errorResponses("AUTH001", "AUTH003", "AUTH005", "AUTH007"),
  },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/auth/refresh",
  middleware: [publicRoute(), ipLimit("refresh")],
  tags,
  summary: "Exchange a refresh token for a new pair",
  description:
    "The presented token dies. Presented again within 30 s of its rotation (two tabs, a retried request) it returns " +
    "the same successor pair; presented later it is treated as theft: the whole session is revoked (AUTH002).",
  request: { body: jsonBody(z.object({ refreshToken: z.string().min(1).max(200) }).openapi("Refresh")) },
  responses: { 200: jsonContent(envelope(tokenPairSchema), "new pair"), ...errorResponses("AUTH002") },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/auth/logout",
  tags,
  summary: "Revoke the current session",
  description: "Access tokens of the session stop working at once; so does its refresh token; its live sockets close (4001).",
  middleware: [requireSession()],
  security: bearerSecurity,
  request: {
    body: {
      content: { "application/json": { schema: z.object({ refreshToken: z.string().max(200).optional() }).openapi("Logout") } },
      required: false,
    },
  },
  responses: {
    200: jsonContent(envelope(z.object({ sessionId: z.string(), revoked: z.literal(true) })), "revoked"),
    ...errorResponses("AUTH002", "AUTH003", "AUTH004"),
  },
});

const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  tags,
  summary: "The authenticated user",
  middleware: [requireScope("profile:read")],
  security: bearerSecurity,
  responses: { 200: jsonContent(envelope(userEnvelopeData), "the caller"), ...errorResponses("AUTH002", "AUTH004") },
});

// ---- handlers ----

export const authRoutes = createRouter()
  .openapi(registerRoute, async (c) => {
    const user = await registerAccount(c.env, requestOrigin(c), c.req.valid("json"));
    return ok(c, { user: userView(user) }, 201);
  })

  .openapi(verifyRoute, async (c) => {
    const body = c.req.valid("json");
    const email = normaliseEmail(body.email);
    await limitAccount(c, "verifyEmail", { email });
    const now = new Date();
    const invalid = () => new ApiError("AUTH001", "Invalid or expired verification code");
    const user = await findUserByEmail(c.env.DB, email);
    if (!user || user.emailVerifiedAt !== null || user.deletedAt !== null) throw invalid();
    const pending = await latestLiveVerification(c.env.DB, user.id, now);
    // The attempt is spent before comparing, so parallel guesses cannot exceed the limit.
    if (!pending || !(await spendAttempt(c.env.DB, pending.id))) throw invalid();
    const presented = hashCode(c.env, "verify-email", user.id, body.code);
    if (!timingSafeEqual(presented, pending.codeHash)) {
      await auditFromRequest(c, { action: "auth.email_verification.failed", actorId: user.id, resourceType: "user", resourceId: user.id });
      throw invalid();
    }
    const becomesAdmin = user.role === "user" && isAdminEmail(c.env.ADMIN_EMAILS, user.email);
    await db(c.env.DB).batch([
      consumeVerification(c.env.DB, pending.id, now),
      markEmailVerified(c.env.DB, user.id, now),
      auditInsert(c.env, { action: "auth.email_verified", actorId: user.id, ...requestOrigin(c), resourceType: "user", resourceId: user.id }, now),
      ...(becomesAdmin
        ? [
            grantConfiguredAdmin(c.env.DB, user.id, now),
            auditInsert(c.env, { action: "admin.user.role_changed", actorId: null, ...requestOrigin(c), resourceType: "user", resourceId: user.id, data: { from: "user", to: "admin", reason: "ADMIN_EMAILS" } }, now),
          ]
        : []),
    ]);
    const verified = { ...user, emailVerifiedAt: now.toISOString(), role: becomesAdmin ? ("admin" as const) : user.role };
    return ok(c, { user: userView(verified) }, 200);
  })

  .openapi(resendRoute, async (c) => {
    const email = normaliseEmail(c.req.valid("json").email);
    await limitAccount(c, "resendVerification", { email });
    // Account-dependent work after the response, so its timing does not reveal whether the email is registered.
    runInBackground(c, "resend verification", async () => {
      const user = await findUserByEmail(c.env.DB, email);
      if (!user || user.emailVerifiedAt !== null || user.deletedAt !== null || user.suspended) return;
      const now = new Date();
      const code = sixDigitCode(randomBytes);
      await db(c.env.DB).batch([
        ...newVerificationStatements(c.env.DB, user.id, hashCode(c.env, "verify-email", user.id, code), now),
        auditInsert(c.env, { action: "auth.email_verification.resent", actorId: user.id, ...requestOrigin(c), resourceType: "user", resourceId: user.id }, now),
      ]);
      await emailVerificationCode(c.env, user, code);
    });
    return ok(c, { accepted: true as const }, 202);
  })

  .openapi(loginRoute, async (c) => {
    const body = c.req.valid("json");
    const email = normaliseEmail(body.email);
    await limitAccount(c, "login", { email });
    const now = new Date();
    const d1 = c.env.DB;
    const lockKey = emailThrottleKey(c.env, email);
    const lock = await readLockState(d1, lockKey);
    const locked = lockSecondsRemaining(lock, now);
    if (locked > 0) {
      await auditFromRequest(c, { action: "auth.login.failed", actorId: null, data: { reason: "locked", emailKey: lockKey.slice(0, 16) } });
      throw new ApiError("AUTH007", "Too many failed attempts; the account is temporarily locked", {
        headers: { "Retry-After": String(locked) },
        details: { retryAfterSeconds: locked },
      });
    }

    const failLogin = async (reason: string, userId: string | null, error: ApiError): Promise<never> => {
      await recordLoginFailure(d1, lockKey, now);
      await auditInsert(
        c.env,
        { action: "auth.login.failed", actorId: userId, ...requestOrigin(c), resourceType: userId ? "user" : null, resourceId: userId, data: { reason } },
        now,
      );
      throw error;
    };
    const badCredentials = () => new ApiError("AUTH001", "Invalid email or password");

    const user = await findUserByEmail(d1, email);
    if (!user || user.deletedAt !== null) {
      verifyAgainstDummy(body.password);
      return failLogin("unknown_email", null, badCredentials());
    }
    if (!verifyPassword(body.password, user.passwordHash)) return failLogin("bad_password", user.id, badCredentials());
    if (user.suspended) {
      await auditFromRequest(c, { action: "auth.login.failed", actorId: user.id, resourceType: "user", resourceId: user.id, data: { reason: "suspended" } });
      throw new ApiError("AUTH003", "This account is suspended");
    }

    const extra = [];
    let mfaMethod: "totp" | "recovery_code" | null = null;
    if (user.mfaEnabled) {
      const mfaError = (message: string) => new ApiError("AUTH005", message, { details: { mfaRequired: true } });
      if (!body.mfaCode) throw mfaError("A one-time code from your authenticator app is required");
      const code = body.mfaCode.replace(/\s/g, "");
      if (/^\d{6}$/.test(code)) {
        const secret = base32Decode(openTotpSecret(c.env, user.id, user.mfaSecretSealed!));
        const step = verifyTotp(secret, code, now.getTime(), { lastUsedStep: user.mfaLastStep });
        if (step === null || !(await claimTotpStep(d1, user.id, step, now))) {
          return failLogin("bad_mfa_code", user.id, mfaError("Invalid one-time code"));
        }
        mfaMethod = "totp";
      } else if (looksLikeRecoveryCode(code)) {
        const used = await useRecoveryCode(d1, user.id, hashCode(c.env, "recovery", user.id, normaliseRecoveryCode(code)), now);
        if (!used) return failLogin("bad_recovery_code", user.id, mfaError("Invalid one-time code"));
        mfaMethod = "recovery_code";
      } else {
        return failLogin("bad_mfa_code", user.id, mfaError("Invalid one-time code"));
      }
    }

    if (lock) extra.push(clearLockState(d1, lockKey));
    // Parameters raised since this hash was made: upgrade it now that we hold the password.
    if (needsRehash(user.passwordHash)) extra.push(setPasswordHash(d1, user.id, hashPassword(body.password), now));
    const pair = await startSession(c, user, { mfa: mfaMethod }, now, extra);
    return ok(c, pair, 200);
  })

  .openapi(refreshRoute, async (c) => {
    const pair = await refreshSession(c.env, requestOrigin(c), c.req.valid("json").refreshToken);
    return ok(c, pair, 200);
  })

  .openapi(logoutRoute, async (c) => {
    const principal = principalOf(c);
    const sessionId = principal.sessionId!;
    const now = new Date();
    // A refresh token sent along is killed too, if it is the caller's (normally it belongs to this same session).
    const presented = (c.req.valid("json") as { refreshToken?: string } | undefined)?.refreshToken;
    const other = presented ? await findRefreshToken(c.env.DB, presented) : null;
    const extra = other && other.userId === principal.userId && other.sessionId !== sessionId ? [other.sessionId] : [];
    await db(c.env.DB).batch([
      revokeSessionStatement(c.env.DB, sessionId, "logout", now),
      ...extra.map((id) => revokeSessionStatement(c.env.DB, id, "logout", now)),
      auditInsert(c.env, { action: "auth.logout", actorId: principal.userId, ...requestOrigin(c), resourceType: "session", resourceId: sessionId }, now),
    ]);
    // The session's live sockets close too (4001), in every room, within seconds.
    await endLiveSessions(c.env, principal.userId, { why: "session_ended", sessionIds: [sessionId, ...extra] });
    return ok(c, { sessionId, revoked: true as const }, 200);
  })

  .openapi(meRoute, async (c) => {
    const user = await findUserById(c.env.DB, principalOf(c).userId);
    if (!user) throw new ApiError("AUTH002", "Access token is invalid, expired or revoked");
    return ok(c, { user: userView(user) }, 200);
  });

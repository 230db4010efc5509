// /auth/password: reset by emailed single-use token (202 whatever the email) and change while logged in.
// A reset revokes every session; a change revokes every session but the caller's.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { bearerSecurity, envelope, errorResponses, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { principalOf, publicRoute, requireSession } from "../lib/auth";
import { auditInsert, requestOrigin } from "../lib/audit";
import { hashPassword, verifyPassword } from "../lib/passwords";
import { ipLimit, limitAccount } from "../lib/auth-limits";
import { sendEmail } from "../lib/email";
import { runInBackground } from "../lib/background";
import { db } from "../db/client";
import { findUserByEmail, findUserById, setPasswordHash } from "../db/users";
import { newResetStatements } from "../db/password-resets";
import { revokeUserSessionsStatement } from "../db/sessions";
import { PASSWORD_RESET_TTL_MINUTES, normaliseEmail } from "../domain/identity-policy";
import { acceptedSchema, emailField, loginPasswordField, passwordField } from "../schemas/auth";
import { endLiveSessions } from "../lib/live-sessions";
import { confirmPasswordReset } from "../services/auth/confirm-password-reset";

const tags = ["Auth"];

const resetRoute = createRoute({
  method: "post",
  path: "/auth/password/reset",
  middleware: [publicRoute(), ipLimit("passwordReset")],
  tags,
  summary: "Email a password reset token",
  description: "Always 202 after the same work, whether or not the email has an account.",
  request: { body: jsonBody(z.object({ email: emailField }).openapi("PasswordReset")) },
  responses: { 202: jsonContent(envelope(acceptedSchema), "accepted"), ...errorResponses() },
});

const confirmRoute = createRoute({
  method: "post",
  path: "/auth/password/reset/confirm",
  middleware: [publicRoute(), ipLimit("passwordResetConfirm")],
  tags,
  summary: "Set a new password with a reset token; signs out every session",
  request: {
    body: jsonBody(
      z.object({ token: z.string().min(1).max(200), newPassword: passwordField }).openapi("PasswordResetConfirm"),
    ),
  },
  responses: {
    200: jsonContent(
      envelope(z.object({ passwordChanged: z.literal(true), sessionsRevoked: z.number().int() })),
      "changed",
    ),
    ...errorResponses("AUTH001"),
  },
});

const changeRoute = createRoute({
  method: "post",
  path: "/auth/password/change",
  tags,
  summary: "Change the password; signs out every other session",
  middleware: [requireSession()],
  security: bearerSecurity,
  request: {
    body: jsonBody(
      z.object({ currentPassword: loginPasswordField, newPassword: passwordField }).openapi("PasswordChange"),
    ),
  },
  responses: {
    200: jsonContent(
      envelope(z.object({ passwordChanged: z.literal(true), sessionsRevoked: z.number().int() })),
      "changed",
    ),
    ...errorResponses("AUTH001", "AUTH002", "AUTH003", "AUTH004"),
  },
});

export const authPasswordRoutes = createRouter()
  .openapi(resetRoute, async (c) => {
    const email = normaliseEmail(c.req.valid("json").email);
    await limitAccount(c, "passwordReset", { email });
    // Everything account-dependent happens after the response, so its timing says nothing.
    runInBackground(c, "password reset request", async () => {
      const user = await findUserByEmail(c.env.DB, email);
      const now = new Date();
      if (!user || user.deletedAt !== null || user.suspended) {
        await db(c.env.DB).batch([
          auditInsert(
            c.env,
            { action: "auth.password.reset_requested", actorId: null, ...requestOrigin(c), data: { known: false } },
            now,
          ),
        ]);
        return;
      }
      const { token, statements } = newResetStatements(c.env.DB, user.id, now);
      await db(c.env.DB).batch([
        ...statements,
        auditInsert(
          c.env,
          {
            action: "auth.password.reset_requested",
            actorId: user.id,
            ...requestOrigin(c),
            resourceType: "user",
            resourceId: user.id,
            data: { known: true },
          },
          now,
        ),
      ]);
      await sendEmail(c.env, {
        to: user.email,
        template: "password-reset",
        data: { name: user.name, token, expiresInMinutes: PASSWORD_RESET_TTL_MINUTES },
        userId: user.id,
      });
    });
    return ok(c, { accepted: true as const }, 202);
  })

  .openapi(confirmRoute, async (c) => {
    const { sessionsRevoked } = await confirmPasswordReset(c.env, requestOrigin(c), c.req.valid("json"));
    return ok(c, { passwordChanged: true as const, sessionsRevoked }, 200);
  })

  .openapi(changeRoute, async (c) => {
    const principal = principalOf(c);
    await limitAccount(c, "userSecretCheck", { userId: principal.userId });
    const { currentPassword, newPassword } = c.req.valid("json");
    const user = await findUserById(c.env.DB, principal.userId);
    if (!user) throw new ApiError("AUTH002", "Access token is invalid, expired or revoked");
    const now = new Date();
    if (!verifyPassword(currentPassword, user.passwordHash)) {
      await db(c.env.DB).batch([
        auditInsert(
          c.env,
          {
            action: "auth.password.change_failed",
            actorId: user.id,
            ...requestOrigin(c),
            resourceType: "user",
            resourceId: user.id,
            data: { reason: "bad_password" },
          },
          now,
        ),
      ]);
      throw new ApiError("AUTH001", "Current password is wrong");
    }
    if (newPassword === currentPassword) {
      throw new ApiError("VAL001", "Request validation failed", {
        details: [{ path: "newPassword", message: "must differ from the current password" }],
      });
    }
    const [, revoked] = await db(c.env.DB).batch([
      setPasswordHash(c.env.DB, user.id, hashPassword(newPassword), now),
      revokeUserSessionsStatement(c.env.DB, user.id, "password_change", now, principal.sessionId!),
      auditInsert(
        c.env,
        {
          action: "auth.password.changed",
          actorId: user.id,
          ...requestOrigin(c),
          resourceType: "user",
          resourceId: user.id,
        },
        now,
      ),
    ]);
    await endLiveSessions(c.env, user.id, {
      why: "session_ended",
      sessionIds: null,
      exceptSessionId: principal.sessionId,
    });
    return ok(c, { passwordChanged: true as const, sessionsRevoked: revoked.meta.changes }, 200);
  });

// /auth/password: reset by emailed single-use token (202 whatever the email) and change while logged in.
// A reset revokes every session; a change revokes every session but the caller's.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, publicRoute, requireSession } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { ipLimit, limitAccount } from "../lib/auth-limits";
import { runInBackground } from "../lib/background";
import { normaliseEmail } from "../domain/identity-policy";
import { acceptedSchema, emailField, loginPasswordField, passwordField } from "../schemas/auth";
import { changePassword } from "../services/auth/change-password";
import { confirmPasswordReset } from "../services/auth/confirm-password-reset";
import { requestPasswordReset } from "../services/auth/request-password-reset";

const resetRoute = createRoute({
  method: "post",
  path: "/auth/password/reset",
  ...openRoute("Auth", publicRoute(), ipLimit("passwordReset")),
  summary: "Email a password reset token",
  description: "Always 202 after the same work, whether or not the email has an account.",
  request: { body: jsonBody(z.object({ email: emailField }).openapi("PasswordReset")) },
  responses: answers(202, envelope(acceptedSchema), "accepted"),
});

const confirmRoute = createRoute({
  method: "post",
  path: "/auth/password/reset/confirm",
  ...openRoute("Auth", publicRoute(), ipLimit("passwordResetConfirm")),
  summary: "Set a new password with a reset token; signs out every session",
  request: {
    body: jsonBody(
      z.object({ token: z.string().min(1).max(200), newPassword: passwordField }).openapi("PasswordResetConfirm"),
    ),
  },
  responses: answers(
    200,
    envelope(z.object({ passwordChanged: z.literal(true), sessionsRevoked: z.number().int() })),
    "changed",
    "AUTH001",
  ),
});

const changeRoute = createRoute({
  method: "post",
  path: "/auth/password/change",
  ...bearerRoute("Auth", requireSession()),
  summary: "Change the password; signs out every other session",
  request: {
    body: jsonBody(
      z.object({ currentPassword: loginPasswordField, newPassword: passwordField }).openapi("PasswordChange"),
    ),
  },
  responses: answers(
    200,
    envelope(z.object({ passwordChanged: z.literal(true), sessionsRevoked: z.number().int() })),
    "changed",
    "AUTH001",
    "AUTH002",
    "AUTH003",
    "AUTH004",
  ),
});

export const authPasswordRoutes = createRouter()
  .openapi(resetRoute, async (c) => {
    const email = normaliseEmail(c.req.valid("json").email);
    await limitAccount(c, "passwordReset", { email });
    // Everything account-dependent happens after the response, so its timing says nothing.
    const origin = requestOrigin(c);
    runInBackground(c, "password reset request", () => requestPasswordReset(c.env, origin, email));
    return ok(c, { accepted: true as const }, 202);
  })

  .openapi(confirmRoute, async (c) => {
    const { sessionsRevoked } = await confirmPasswordReset(c.env, requestOrigin(c), c.req.valid("json"));
    return ok(c, { passwordChanged: true as const, sessionsRevoked }, 200);
  })

  .openapi(changeRoute, async (c) => {
    const principal = principalOf(c);
    await limitAccount(c, "userSecretCheck", { userId: principal.userId });
    const actor = { userId: principal.userId, sessionId: principal.sessionId!, ...requestOrigin(c) };
    const { sessionsRevoked } = await changePassword(c.env, actor, c.req.valid("json"));
    return ok(c, { passwordChanged: true as const, sessionsRevoked }, 200);
  });

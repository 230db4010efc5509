// /auth: accounts (register, email verification), login with lockout and MFA, refresh-token rotation with reuse
// detection, logout and /auth/me. Enumeration: login, resend and reset answer alike for unknown emails (same
// error, same argon2 work); register must say "taken" (RES002) to be usable, so it is rate limited per IP instead.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { principalOf, publicRoute, requireScope, requireSession } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { ipLimit, limitAccount } from "../lib/auth-limits";
import { sessionTokenResponse } from "../lib/idempotency";
import { runInBackground } from "../lib/background";
import { registerAccount } from "../services/auth/register-account";
import { refreshSession } from "../services/auth/refresh-session";
import { logIn } from "../services/auth/log-in";
import { logOut } from "../services/auth/log-out";
import { verifyEmail } from "../services/auth/verify-email";
import { resendVerification } from "../services/auth/resend-verification";
import { findUserById, userView } from "../db/users";
import { normaliseEmail } from "../domain/identity-policy";
import { ACCOUNT_TYPES } from "../db/schema/identity";
import {
  acceptedSchema,
  emailField,
  loginBody,
  passwordField,
  personNameField,
  tokenPairSchema,
  userEnvelopeData,
} from "../schemas/auth";

// ---- register ----

const registerBody = z
  .object({
    email: emailField,
    password: passwordField,
    name: personNameField,
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
  ...openRoute("Auth", publicRoute(), ipLimit("register")),
  summary: "Create an account; a 6-digit verification code is emailed",
  description:
    "An email held by a verified account answers 409 RES002 (an account form must be able to say so); the route is " +
    "rate limited per IP so this cannot be used to enumerate addresses at scale. An address held only by an " +
    "unverified account is registered again: that account is replaced (retired, its sessions ended). Unverified " +
    "accounts expire after 7 days and are granted nothing addressed to their email.",
  request: { body: jsonBody(registerBody) },
  responses: answers(201, envelope(userEnvelopeData), "created (email not yet verified)", "RES002"),
});

// ---- verify / resend ----

const verifyBody = z
  .object({ email: emailField, code: z.string().regex(/^\d{6}$/, "must be 6 digits") })
  .openapi("VerifyEmail");

const verifyRoute = createRoute({
  method: "post",
  path: "/auth/verify-email",
  ...openRoute("Auth", publicRoute(), ipLimit("verifyEmail")),
  summary: "Confirm the email address with the emailed code",
  description: "A code expires after 10 minutes or 5 wrong attempts (then ask for a new one).",
  request: { body: jsonBody(verifyBody) },
  responses: answers(200, envelope(userEnvelopeData), "verified", "AUTH001"),
});

const resendRoute = createRoute({
  method: "post",
  path: "/auth/resend-verification",
  ...openRoute("Auth", publicRoute(), ipLimit("resendVerification")),
  summary: "Email a new verification code",
  description: "Always 202, whether or not the address has an unverified account.",
  request: { body: jsonBody(z.object({ email: emailField }).openapi("ResendVerification")) },
  responses: answers(202, envelope(acceptedSchema), "accepted"),
});

// ---- login / refresh / logout / me ----

const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  ...openRoute("Auth", publicRoute(), ipLimit("login"), sessionTokenResponse),
  summary: "Log in; returns an access JWT and a refresh token",
  description:
    "Unknown email and wrong password both answer AUTH001 after the same argon2id work. With MFA on, a missing or " +
    "wrong `mfaCode` answers AUTH005 with `details.mfaRequired`. Five consecutive failures lock the email for 15 " +
    "minutes (423 AUTH007 with Retry-After).",
  request: { body: jsonBody(loginBody) },
  responses: answers(200, envelope(tokenPairSchema), "logged in", "AUTH001", "AUTH003", "AUTH005", "AUTH007"),
});

const refreshRoute = createRoute({
  method: "post",
  path: "/auth/refresh",
  ...openRoute("Auth", publicRoute(), ipLimit("refresh"), sessionTokenResponse),
  summary: "Exchange a refresh token for a new pair",
  description:
    "The presented token dies. Presented again within 30 s of its rotation (two tabs, a retried request) it returns " +
    "the same successor pair; presented later it is treated as theft: the whole session is revoked (AUTH002).",
  request: { body: jsonBody(z.object({ refreshToken: z.string().min(1).max(200) }).openapi("Refresh")) },
  responses: answers(200, envelope(tokenPairSchema), "new pair", "AUTH002"),
});

const logoutRoute = createRoute({
  method: "post",
  path: "/auth/logout",
  ...bearerRoute("Auth", requireSession()),
  summary: "Revoke the current session",
  description:
    "Access tokens of the session stop working at once; so does its refresh token; its live sockets close (4001).",
  request: {
    body: {
      content: {
        "application/json": { schema: z.object({ refreshToken: z.string().max(200).optional() }).openapi("Logout") },
      },
      required: false,
    },
  },
  responses: answers(
    200,
    envelope(z.object({ sessionId: z.string(), revoked: z.literal(true) })),
    "revoked",
    "AUTH002",
    "AUTH003",
    "AUTH004",
  ),
});

const meRoute = createRoute({
  method: "get",
  path: "/auth/me",
  ...bearerRoute("Auth", requireScope("profile:read")),
  summary: "The authenticated user",
  responses: answers(200, envelope(userEnvelopeData), "the caller", "AUTH002", "AUTH004"),
});

// ---- handlers ----

export const authRoutes = createRouter()
  .openapi(registerRoute, async (c) => {
    const user = await registerAccount(c.env, requestOrigin(c), c.req.valid("json"));
    return ok(c, { user: userView(user) }, 201);
  })

  .openapi(verifyRoute, async (c) => {
    const body = c.req.valid("json");
    await limitAccount(c, "verifyEmail", { email: normaliseEmail(body.email) });
    const user = await verifyEmail(c.env, requestOrigin(c), body);
    return ok(c, { user: userView(user) }, 200);
  })

  .openapi(resendRoute, async (c) => {
    const email = normaliseEmail(c.req.valid("json").email);
    await limitAccount(c, "resendVerification", { email });
    // Account-dependent work after the response, so its timing does not reveal whether the email is registered.
    const origin = requestOrigin(c);
    runInBackground(c, "resend verification", () => resendVerification(c.env, origin, email));
    return ok(c, { accepted: true as const }, 202);
  })

  .openapi(loginRoute, async (c) => {
    const body = c.req.valid("json");
    await limitAccount(c, "login", { email: normaliseEmail(body.email) });
    return ok(c, await logIn(c.env, requestOrigin(c), body), 200);
  })

  .openapi(refreshRoute, async (c) => {
    const pair = await refreshSession(c.env, requestOrigin(c), c.req.valid("json").refreshToken);
    return ok(c, pair, 200);
  })

  .openapi(logoutRoute, async (c) => {
    const principal = principalOf(c);
    // A refresh token sent along is killed too, if it is the caller's (normally it belongs to this same session).
    const presented = (c.req.valid("json") as { refreshToken?: string } | undefined)?.refreshToken;
    const actor = { userId: principal.userId, sessionId: principal.sessionId!, ...requestOrigin(c) };
    return ok(c, await logOut(c.env, actor, presented), 200);
  })

  .openapi(meRoute, async (c) => {
    const user = await findUserById(c.env.DB, principalOf(c).userId);
    if (!user) throw new ApiError("AUTH002", "Access token is invalid, expired or revoked");
    return ok(c, { user: userView(user) }, 200);
  });

// Phone verification (issue 17.3): POST /users/me/phone sends a 6-digit code by SMS, POST /auth/verify-phone
// confirms it. Both need the person's session: a phone number becomes a notification channel of the account.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireSession } from "../lib/auth";
import { phoneCodeSent, phoneInput, startPhoneVerification } from "../services/users/start-phone-verification";
import { verifyPhone, verifyPhoneInput } from "../services/users/verify-phone";
import { userEnvelopeData } from "../schemas/auth";

const startRoute = createRoute({
  method: "post",
  path: "/users/me/phone",
  ...bearerRoute("Users", requireSession()),
  summary: "Send a 6-digit code by SMS to a phone number (E.164) to verify it",
  description:
    "The number must be E.164 (`+2348012345678`) and able to receive SMS. The code expires after 5 minutes or 5 " +
    "wrong attempts; asking again sends a new code and retires the old one (at most 5 an hour). The number " +
    "becomes the account's phone only once POST /auth/verify-phone confirms it. 503 SYS002 when this deployment " +
    "has no SMS provider.",
  request: { body: jsonBody(phoneInput) },
  responses: answers(
    202,
    envelope(phoneCodeSent),
    "code queued for SMS",
    "AUTH002",
    "AUTH003",
    "AUTH004",
    "RES002",
    "SYS002",
  ),
});

const verifyRoute = createRoute({
  method: "post",
  path: "/auth/verify-phone",
  ...bearerRoute("Auth", requireSession()),
  summary: "Confirm the phone number with the code sent by SMS",
  description: "Wrong, expired, already used or exhausted codes all answer 401 AUTH001; then ask for a new code.",
  request: { body: jsonBody(verifyPhoneInput) },
  responses: answers(
    200,
    envelope(userEnvelopeData),
    "verified: `user.phoneVerified` is true",
    "AUTH001",
    "AUTH002",
    "AUTH003",
    "AUTH004",
  ),
});

export const phoneRoutes = createRouter()
  .openapi(startRoute, async (c) => ok(c, await startPhoneVerification(c, principalOf(c), c.req.valid("json")), 202))
  .openapi(verifyRoute, async (c) => ok(c, await verifyPhone(c, principalOf(c), c.req.valid("json")), 200));

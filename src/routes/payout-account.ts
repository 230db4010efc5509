// /users/me/payout-account: the bank account a seller's escrow payouts go to. Created as a transfer recipient at
// the payment provider; Escra keeps only the recipient code, bank code, last 4 digits and the account name.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, isoDate, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { principalOf, requireScope, requireSession, requireVerifiedEmail } from "../lib/auth";
import { liveUser } from "../services/users/live-user";
import { payoutAccountView } from "../db/payout-accounts";
import { payoutAccountInput, setUserPayoutAccount } from "../services/users/set-payout-account";
import { removeUserPayoutAccount } from "../services/users/remove-payout-account";

const payoutAccountSchema = z
  .object({ name: z.string(), bankCode: z.string(), last4: z.string(), currency: z.string(), updatedAt: isoDate })
  .openapi("PayoutAccount");
const payoutAccountData = z.object({ payoutAccount: payoutAccountSchema });

const putRoute = createRoute({
  // The person, not a key (issue 11, kind 3); the scope keeps viewers out; where money goes is bound to a proven
  // address (AUTH006 otherwise).
  ...bearerRoute("Users", requireSession(), requireScope("profile:write"), requireVerifiedEmail()),
  method: "put",
  path: "/users/me/payout-account",
  summary: "Set the bank account escrow payouts are sent to (replaces any earlier one)",
  description:
    "Creates a transfer recipient at the payment provider (Paystack: POST /transferrecipient). Escra stores only " +
    "the recipient, the bank code, the last 4 digits and the name; the full account number is never stored. " +
    "Needs the person's session (API keys are refused, AUTH003) and, when MFA is on, a current one-time code in " +
    "`mfaCode` (AUTH005 with `details.mfaRequired` without it). The account owner is emailed about every change.",
  request: { body: jsonBody(payoutAccountInput) },
  responses: answers(
    200,
    envelope(payoutAccountData),
    "the payout account on file",
    "AUTH003",
    "AUTH004",
    "AUTH005",
    "AUTH006",
    "PROC001",
  ),
});

const getRoute = createRoute({
  ...bearerRoute("Users", requireScope("profile:read")),
  method: "get",
  path: "/users/me/payout-account",
  summary: "The caller's payout account",
  responses: answers(200, envelope(payoutAccountData), "the payout account", "AUTH003", "AUTH004", "RES001"),
});

const deleteRoute = createRoute({
  // The person, not a key (issue 11, kind 3); the scope keeps viewers out.
  ...bearerRoute("Users", requireSession(), requireScope("profile:write")),
  method: "delete",
  path: "/users/me/payout-account",
  summary: "Remove the caller's payout account (payouts then wait until a new one is set)",
  description: "Needs the person's session (API keys are refused, AUTH003); the account owner is emailed.",
  responses: answers(200, envelope(z.object({ deleted: z.literal(true) })), "removed", "AUTH003", "AUTH004", "RES001"),
});

export const payoutAccountRoutes = createRouter()
  .openapi(putRoute, async (c) => {
    const view = await setUserPayoutAccount(c, principalOf(c), c.req.valid("json"));
    return ok(c, { payoutAccount: view });
  })
  .openapi(getRoute, async (c) => {
    const view = payoutAccountView(await liveUser(c.env.DB, principalOf(c).userId));
    if (!view) throw fail.notFound("Payout account");
    return ok(c, { payoutAccount: view });
  })
  .openapi(deleteRoute, async (c) => {
    await removeUserPayoutAccount(c, principalOf(c));
    return ok(c, { deleted: true as const });
  });

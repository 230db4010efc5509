// /users/me/payout-account: the bank account a seller's escrow payouts go to. Created as a transfer recipient at
// the payment provider; Escra keeps only the recipient code, bank code, last 4 digits and the account name.
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, isoDate, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { auditInsert, requestOrigin } from "../lib/audit";
import { log } from "../lib/request-context";
import { paymentProvider } from "../lib/payments";
import { ProviderError } from "../lib/payments/provider";
import { db } from "../db/client";
import { users } from "../db/schema/identity";
import { clearPayoutAccountStatement, payoutAccountView, setPayoutAccount } from "../db/payout-accounts";

const tags = ["Users"];
const security = [{ bearer: [] }];

const payoutAccountBody = z
  .object({
    type: z.literal("nuban").default("nuban"),
    name: z.string().trim().min(1).max(200),
    /** NUBAN: 10 digits. */
    accountNumber: z.string().regex(/^\d{10}$/, "must be the 10-digit NUBAN account number"),
    bankCode: z.string().regex(/^\d{3,6}$/, "must be the bank's numeric code"),
    currency: z.literal("NGN"),
  })
  .strict()
  .openapi("PayoutAccountInput");

const payoutAccountSchema = z
  .object({ name: z.string(), bankCode: z.string(), last4: z.string(), currency: z.string(), updatedAt: isoDate })
  .openapi("PayoutAccount");
const payoutAccountData = z.object({ payoutAccount: payoutAccountSchema });

const putRoute = createRoute({
  tags,
  security,
  middleware: [requireScope("profile:write")],
  method: "put",
  path: "/users/me/payout-account",
  summary: "Set the bank account escrow payouts are sent to (replaces any earlier one)",
  description:
    "Creates a transfer recipient at the payment provider (Paystack: POST /transferrecipient). Escra stores only " +
    "the recipient, the bank code, the last 4 digits and the name; the full account number is never stored.",
  request: { body: jsonBody(payoutAccountBody) },
  responses: {
    200: jsonContent(envelope(payoutAccountData), "the payout account on file"),
    ...errorResponses("AUTH003", "AUTH004", "PROC001"),
  },
});

const getRoute = createRoute({
  tags,
  security,
  middleware: [requireScope("profile:read")],
  method: "get",
  path: "/users/me/payout-account",
  summary: "The caller's payout account",
  responses: { 200: jsonContent(envelope(payoutAccountData), "the payout account"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});

const deleteRoute = createRoute({
  tags,
  security,
  middleware: [requireScope("profile:write")],
  method: "delete",
  path: "/users/me/payout-account",
  summary: "Remove the caller's payout account (payouts then wait until a new one is set)",
  responses: {
    200: jsonContent(envelope(z.object({ deleted: z.literal(true) })), "removed"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

async function liveUser(d1: D1Database, userId: string) {
  const row = await db(d1).select().from(users).where(eq(users.id, userId)).get();
  if (!row || row.deletedAt) throw fail.notFound("User");
  return row;
}

export const payoutAccountRoutes = createRouter()
  .openapi(putRoute, async (c) => {
    const principal = principalOf(c);
    const input = c.req.valid("json");
    const user = await liveUser(c.env.DB, principal.userId);
    const database = db(c.env.DB);
    const now = new Date();
    const audit = auditInsert(
      c.env,
      { action: "user.payout_account.set", actorId: user.id, ...requestOrigin(c), resourceType: "user", resourceId: user.id, data: { bankCode: input.bankCode, last4: input.accountNumber.slice(-4) } },
      now,
    );
    let columns;
    try {
      columns = await setPayoutAccount(database, paymentProvider(c.env), user.id, input, now, [audit]);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      log("warn", "payout recipient creation failed", { userId: user.id, status: err.httpStatus });
      throw new ApiError("PROC001", "The payment provider did not accept the account; check it and try again");
    }
    return ok(c, { payoutAccount: payoutAccountView({ ...user, ...columns })! });
  })
  .openapi(getRoute, async (c) => {
    const view = payoutAccountView(await liveUser(c.env.DB, principalOf(c).userId));
    if (!view) throw fail.notFound("Payout account");
    return ok(c, { payoutAccount: view });
  })
  .openapi(deleteRoute, async (c) => {
    const user = await liveUser(c.env.DB, principalOf(c).userId);
    if (!user.payoutRecipientCode) throw fail.notFound("Payout account");
    const database = db(c.env.DB);
    const now = new Date();
    await database.batch([
      clearPayoutAccountStatement(database, user.id, now.toISOString()),
      auditInsert(c.env, { action: "user.payout_account.removed", actorId: user.id, ...requestOrigin(c), resourceType: "user", resourceId: user.id }, now),
    ]);
    return ok(c, { deleted: true as const });
  });

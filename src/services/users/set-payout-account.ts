// Setting the bank account escrow payouts go to: the person's session, a fresh MFA code when MFA
// is on, and an email to the account owner, so money can never be redirected quietly (issue 11, kind 3).
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert, requestOrigin } from "../../lib/audit";
import { log } from "../../lib/request-context";
import { requireFreshMfa } from "../../lib/mfa-step-up";
import { paymentProvider } from "../../lib/payments";
import { ProviderError } from "../../lib/payments/provider";
import { db } from "../../db/client";
import { payoutAccountView, setPayoutAccount } from "../../db/payout-accounts";
import { emailPayoutAccountChange, payoutAccountOwner } from "./payout-account-owner";

const mfaCode = z
  .string()
  .trim()
  .min(6)
  .max(40)
  .optional()
  .openapi({ description: "A current TOTP code or an unused recovery code; required when the account has MFA on" });

export const payoutAccountInput = z
  .object({
    type: z.literal("nuban").default("nuban"),
    name: z.string().trim().min(1).max(200),
    /** NUBAN: 10 digits. */
    accountNumber: z.string().regex(/^\d{10}$/, "must be the 10-digit NUBAN account number"),
    bankCode: z.string().regex(/^\d{3,6}$/, "must be the bank's numeric code"),
    currency: z.literal("NGN"),
    mfaCode,
  })
  .strict()
  .openapi("PayoutAccountInput");

type Actor = { userId: string };

/**
 * Sets the caller's payout account (a transfer recipient at the payment provider) and emails the owner.
 * @returns the payout account view (name, bankCode, last4, currency, updatedAt)
 * @throws ApiError AUTH005 (MFA on and `mfaCode` missing or wrong), PROC001 (the provider refused the account),
 *   RES001 (the user is gone)
 */
export async function setUserPayoutAccount(
  c: Context<AppEnv>,
  actor: Actor,
  input: z.infer<typeof payoutAccountInput>,
) {
  const now = new Date();
  const user = await payoutAccountOwner(c.env.DB, actor.userId);
  await requireFreshMfa(c, user, input.mfaCode, now);
  const database = db(c.env.DB);
  const last4 = input.accountNumber.slice(-4);
  const audit = auditInsert(
    c.env,
    {
      action: "user.payout_account.set",
      actorId: user.id,
      ...requestOrigin(c),
      resourceType: "user",
      resourceId: user.id,
      data: { bankCode: input.bankCode, last4 },
    },
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
  await emailPayoutAccountChange(c, user, [
    `Escrow payouts now go to the account ending in ${last4} (bank code ${input.bankCode}, name ${input.name}).`,
  ]);
  return payoutAccountView({ ...user, ...columns })!;
}

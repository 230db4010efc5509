// Removing the bank account escrow payouts go to: the person's session (the route) and an email to the owner. No
// MFA step-up: removal redirects no money, it only holds payouts until a new account is set.
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { fail } from "../../lib/errors";
import { auditInsert, requestOrigin } from "../../lib/audit";
import { db } from "../../db/client";
import { clearPayoutAccountStatement } from "../../db/payout-accounts";
import { emailPayoutAccountChange, payoutAccountOwner } from "./payout-account-owner";

/**
 * Removes the caller's payout account (payouts wait until a new one is set) and emails the owner.
 * @throws ApiError RES001 (no payout account, or the user is gone)
 */
export async function removeUserPayoutAccount(c: Context<AppEnv>, actor: { userId: string }): Promise<void> {
  const now = new Date();
  const user = await payoutAccountOwner(c.env.DB, actor.userId);
  if (!user.payoutRecipientCode) throw fail.notFound("Payout account");
  const database = db(c.env.DB);
  await database.batch([
    clearPayoutAccountStatement(database, user.id, now.toISOString()),
    auditInsert(
      c.env,
      {
        action: "user.payout_account.removed",
        actorId: user.id,
        ...requestOrigin(c),
        resourceType: "user",
        resourceId: user.id,
      },
      now,
    ),
  ]);
  await emailPayoutAccountChange(c, user, [
    "Your payout account was removed; escrow payouts wait until you set a new one.",
  ]);
}

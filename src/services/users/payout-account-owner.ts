// The payout account's owner as both payout-account flows load them, and the email that tells them of a change.
import type { Context } from "hono";
import { eq } from "drizzle-orm";
import type { AppEnv } from "../../env";
import { fail } from "../../lib/errors";
import { log } from "../../lib/request-context";
import { sendEmail } from "../../lib/email";
import { db } from "../../db/client";
import { users } from "../../db/schema/identity";

/** The user row, or RES001 when the account is gone (erased). */
export async function payoutAccountOwner(d1: D1Database, userId: string) {
  const row = await db(d1).select().from(users).where(eq(users.id, userId)).get();
  if (!row || row.deletedAt) throw fail.notFound("User");
  return row;
}

/** Tells the owner their payout account changed; a queue hiccup must not undo a change that is already stored. */
export async function emailPayoutAccountChange(
  c: Context<AppEnv>,
  user: { id: string; email: string; name: string },
  lines: string[],
) {
  try {
    await sendEmail(c.env, {
      to: user.email,
      template: "notice",
      userId: user.id,
      data: {
        subject: "Your Escra payout account was changed",
        heading: "Your payout account was changed",
        lines: [
          `Hi ${user.name},`,
          ...lines,
          `Time: ${new Date().toISOString()}.`,
          "If this was not you, change your password, sign out of every session and contact support at once.",
        ],
      },
    });
  } catch (error) {
    log("error", "payout account change email not queued", { userId: user.id, error: String(error) });
  }
}

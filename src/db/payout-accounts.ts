// A seller's payout account: created as a transfer recipient at the payment provider, and kept on the user row
// as that recipient's code plus what the owner needs to recognise it (bank, last 4 digits, name) — never the
// full account number, which only the provider holds.
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { users } from "./schema/identity";
import type { UserRow } from "./users";
import type { PaymentProvider } from "../lib/payments/provider";

export interface PayoutAccountInput {
  type: "nuban";
  name: string;
  accountNumber: string;
  bankCode: string;
  currency: "NGN";
}

/** What the API shows of a payout account (the recipient code stays internal). */
export function payoutAccountView(row: UserRow) {
  if (!row.payoutRecipientCode) return null;
  return {
    name: row.payoutAccountName!,
    bankCode: row.payoutBankCode!,
    last4: row.payoutAccountLast4!,
    currency: row.payoutCurrency!,
    updatedAt: row.payoutAccountUpdatedAt!,
  };
}
export type PayoutAccountView = NonNullable<ReturnType<typeof payoutAccountView>>;

/** Columns cleared when the account is removed or the user erased. */
export const NO_PAYOUT_ACCOUNT = {
  payoutRecipientCode: null,
  payoutProvider: null,
  payoutBankCode: null,
  payoutAccountLast4: null,
  payoutAccountName: null,
  payoutCurrency: null,
  payoutAccountUpdatedAt: null,
} as const;

/**
 * Creates the recipient at the provider first, then stores it (with `also`, e.g. the audit entry) in one batch:
 * a provider failure (ProviderError) writes nothing and leaves the user's previous account, if any, untouched.
 */
export async function setPayoutAccount(
  database: Database,
  provider: PaymentProvider,
  userId: string,
  input: PayoutAccountInput,
  now = new Date(),
  also: BatchItem<"sqlite">[] = [],
) {
  const { recipientCode } = await provider.createRecipient({
    name: input.name,
    accountNumber: input.accountNumber,
    bankCode: input.bankCode,
    currency: input.currency,
  });
  const columns = {
    payoutRecipientCode: recipientCode,
    payoutProvider: provider.name,
    payoutBankCode: input.bankCode,
    payoutAccountLast4: input.accountNumber.slice(-4),
    payoutAccountName: input.name,
    payoutCurrency: input.currency,
    payoutAccountUpdatedAt: now.toISOString(),
  };
  await database.batch([
    database
      .update(users)
      .set({ ...columns, updatedAt: now.toISOString() })
      .where(eq(users.id, userId)),
    ...also,
  ]);
  return columns;
}

export function clearPayoutAccountStatement(database: Database, userId: string, now: string) {
  return database
    .update(users)
    .set({ ...NO_PAYOUT_ACCOUNT, updatedAt: now })
    .where(eq(users.id, userId));
}

/** The transfer recipient payouts to this user go to, at this provider; null when none is on file. */
export async function payoutRecipientOf(
  database: Database,
  userId: string,
  providerName: string,
): Promise<string | null> {
  const row = await database
    .select({ code: users.payoutRecipientCode, provider: users.payoutProvider })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return row?.code && row.provider === providerName ? row.code : null;
}

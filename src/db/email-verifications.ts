// One-time verification codes (email, and phone by SMS): one live code per user and channel (a new one retires the
// old), attempts counted before comparing. Both channels share this mechanism, so they share its lockout rules.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { db } from "./client";
import { emailVerifications, type VerificationChannel } from "./schema/identity";
import { newId } from "../lib/ids";
import {
  PHONE_CODE_TTL_MINUTES,
  VERIFICATION_CODE_MAX_ATTEMPTS,
  VERIFICATION_CODE_TTL_MINUTES,
  addMinutes,
} from "../domain/identity-policy";

export type EmailVerificationRow = typeof emailVerifications.$inferSelect;

/** Lifetime of a code per channel: an SMS code lives 5 minutes (issue 17.3), an emailed one 10. */
const TTL_MINUTES: Record<VerificationChannel, number> = {
  email: VERIFICATION_CODE_TTL_MINUTES,
  phone: PHONE_CODE_TTL_MINUTES,
};

/**
 * Retire the user's earlier codes of this channel, then insert the new one (run in one batch).
 * @param target the phone number (E.164) a phone code was sent to; null for email codes
 */
export function newVerificationStatements(
  d1: D1Database,
  userId: string,
  codeHash: string,
  now: Date,
  channel: VerificationChannel = "email",
  target: string | null = null,
) {
  const at = now.toISOString();
  return [
    db(d1)
      .update(emailVerifications)
      .set({ consumedAt: at })
      .where(
        and(
          eq(emailVerifications.userId, userId),
          eq(emailVerifications.channel, channel),
          isNull(emailVerifications.consumedAt),
        ),
      ),
    db(d1)
      .insert(emailVerifications)
      .values({
        id: newId("evc"),
        userId,
        codeHash,
        attempts: 0,
        expiresAt: addMinutes(now, TTL_MINUTES[channel]).toISOString(),
        createdAt: at,
        channel,
        target,
      }),
  ] as const;
}

/** The user's newest unconsumed code of the channel, unless it expired or has no attempt left. */
export async function latestLiveVerification(
  d1: D1Database,
  userId: string,
  now: Date,
  channel: VerificationChannel = "email",
): Promise<EmailVerificationRow | null> {
  const rows = await db(d1)
    .select()
    .from(emailVerifications)
    .where(
      and(
        eq(emailVerifications.userId, userId),
        eq(emailVerifications.channel, channel),
        isNull(emailVerifications.consumedAt),
      ),
    )
    .orderBy(desc(emailVerifications.createdAt))
    .limit(1);
  const row = rows[0];
  if (!row || row.expiresAt <= now.toISOString() || row.attempts >= VERIFICATION_CODE_MAX_ATTEMPTS) return null;
  return row;
}

/** Spends one attempt; false when none is left (so concurrent guesses cannot exceed the limit). */
export async function spendAttempt(d1: D1Database, id: string): Promise<boolean> {
  const result = await db(d1)
    .update(emailVerifications)
    .set({ attempts: sql`${emailVerifications.attempts} + 1` })
    .where(
      and(
        eq(emailVerifications.id, id),
        isNull(emailVerifications.consumedAt),
        sql`${emailVerifications.attempts} < ${VERIFICATION_CODE_MAX_ATTEMPTS}`,
      ),
    );
  return result.meta.changes === 1;
}

export function consumeVerification(d1: D1Database, id: string, now: Date) {
  return db(d1).update(emailVerifications).set({ consumedAt: now.toISOString() }).where(eq(emailVerifications.id, id));
}

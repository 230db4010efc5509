// Email verification codes: one live code per user (a new one retires the old), attempts counted before comparing.
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { db } from "./client";
import { emailVerifications } from "./schema/identity";
import { newId } from "../lib/ids";
import { VERIFICATION_CODE_MAX_ATTEMPTS, VERIFICATION_CODE_TTL_MINUTES, addMinutes } from "../domain/identity-policy";

export type EmailVerificationRow = typeof emailVerifications.$inferSelect;

/** Retire earlier codes, then insert the new one (run in one batch). */
export function newVerificationStatements(d1: D1Database, userId: string, codeHash: string, now: Date) {
  const at = now.toISOString();
  return [
    db(d1)
      .update(emailVerifications)
      .set({ consumedAt: at })
      .where(and(eq(emailVerifications.userId, userId), isNull(emailVerifications.consumedAt))),
    db(d1).insert(emailVerifications).values({
      id: newId("evc"),
      userId,
      codeHash,
      attempts: 0,
      expiresAt: addMinutes(now, VERIFICATION_CODE_TTL_MINUTES).toISOString(),
      createdAt: at,
    }),
  ] as const;
}

export async function latestLiveVerification(d1: D1Database, userId: string, now: Date): Promise<EmailVerificationRow | null> {
  const rows = await db(d1)
    .select()
    .from(emailVerifications)
    .where(and(eq(emailVerifications.userId, userId), isNull(emailVerifications.consumedAt)))
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

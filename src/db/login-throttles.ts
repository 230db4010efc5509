// Consecutive-failure state per email key (see loginThrottles); the rules live in src/domain/identity-policy.ts.
import { and, eq, isNull } from "drizzle-orm";
import { db } from "./client";
import { loginThrottles } from "./schema/identity";
import { afterFailedLogin, type LockState } from "../domain/identity-policy";

export async function readLockState(d1: D1Database, emailKey: string): Promise<LockState | null> {
  const rows = await db(d1)
    .select({ failures: loginThrottles.failures, lockedUntil: loginThrottles.lockedUntil })
    .from(loginThrottles)
    .where(eq(loginThrottles.emailKey, emailKey))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Applies one failure with optimistic concurrency: the row is written only if it still holds the state the rule
 * was computed from, else re-read and retried. Parallel wrong guesses therefore each count.
 */
export async function recordLoginFailure(d1: D1Database, emailKey: string, now: Date): Promise<LockState> {
  for (let attempt = 0; ; attempt++) {
    const current = await readLockState(d1, emailKey);
    const next = afterFailedLogin(current, now);
    const values = { failures: next.failures, lockedUntil: next.lockedUntil, updatedAt: now.toISOString() };
    const result = current
      ? await db(d1)
          .update(loginThrottles)
          .set(values)
          .where(
            and(
              eq(loginThrottles.emailKey, emailKey),
              eq(loginThrottles.failures, current.failures),
              current.lockedUntil === null
                ? isNull(loginThrottles.lockedUntil)
                : eq(loginThrottles.lockedUntil, current.lockedUntil),
            ),
          )
      : await db(d1)
          .insert(loginThrottles)
          .values({ emailKey, ...values })
          .onConflictDoNothing();
    if (result.meta.changes === 1 || attempt >= 4) return next;
  }
}

export function clearLockState(d1: D1Database, emailKey: string) {
  return db(d1).delete(loginThrottles).where(eq(loginThrottles.emailKey, emailKey));
}

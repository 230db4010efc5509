// Consecutive-failure state per email key (see loginThrottles); the rules live in src/domain/identity-policy.ts.
import { eq } from "drizzle-orm";
import { db } from "./client";
import { loginThrottles } from "./schema/identity";
import type { LockState } from "../domain/identity-policy";

export async function readLockState(d1: D1Database, emailKey: string): Promise<LockState | null> {
  const rows = await db(d1)
    .select({ failures: loginThrottles.failures, lockedUntil: loginThrottles.lockedUntil })
    .from(loginThrottles)
    .where(eq(loginThrottles.emailKey, emailKey))
    .limit(1);
  return rows[0] ?? null;
}

export function writeLockState(d1: D1Database, emailKey: string, state: LockState, now: Date) {
  const values = { failures: state.failures, lockedUntil: state.lockedUntil, updatedAt: now.toISOString() };
  return db(d1)
    .insert(loginThrottles)
    .values({ emailKey, ...values })
    .onConflictDoUpdate({ target: loginThrottles.emailKey, set: values });
}

export function clearLockState(d1: D1Database, emailKey: string) {
  return db(d1).delete(loginThrottles).where(eq(loginThrottles.emailKey, emailKey));
}

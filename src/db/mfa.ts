// MFA recovery codes: ten per enrolment, stored as peppered HMACs, each consumed once by a conditional update.
import { and, eq, isNull } from "drizzle-orm";
import { db } from "./client";
import { mfaRecoveryCodes, users } from "./schema/identity";
import { auditLogs } from "./schema/audit";
import { batch, changes, insertWhere, rowExists, statement } from "./guarded-writes";
import { chunkRows } from "./chunks";
import { newId } from "../lib/ids";

/** Stores a new enrolment secret only while MFA is off (a concurrent verify may have just turned it on). */
export async function startMfaEnrolment(
  d1: D1Database,
  userId: string,
  secretSealed: string,
  now: Date,
): Promise<boolean> {
  const result = await db(d1)
    .update(users)
    .set({ mfaSecretSealed: secretSealed, mfaLastStep: null, updatedAt: now.toISOString() })
    .where(and(eq(users.id, userId), eq(users.mfaEnabled, false)));
  return result.meta.changes === 1;
}

/**
 * Turns MFA on with a fresh set of recovery codes, once: only while MFA is still off and the enrolment secret is
 * still the one the code was checked against, decided inside one D1 batch. Two concurrent verifies therefore
 * cannot both succeed (the loser's recovery codes would silently not work), and a verify racing a restarted
 * enrolment cannot switch MFA on with a secret the user never confirmed.
 * @returns false when nothing changed (already on, or the enrolment changed)
 */
export async function enableMfaOnce(
  d1: D1Database,
  input: {
    userId: string;
    secretSealed: string;
    step: number;
    codeHashes: string[];
    audit: typeof auditLogs.$inferInsert;
    now: Date;
  },
): Promise<boolean> {
  const database = db(d1);
  const at = input.now.toISOString();
  const stillEnrolling = and(
    eq(users.id, input.userId),
    eq(users.mfaEnabled, false),
    eq(users.mfaSecretSealed, input.secretSealed),
  );
  const guard = rowExists(users, stillEnrolling);
  // Everything else first, under the guard; the users update last, since it is what turns the guard false.
  const results = await batch(database, [
    statement(database, database.delete(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, input.userId), guard))),
    ...input.codeHashes.map((codeHash) =>
      insertWhere(
        database,
        mfaRecoveryCodes,
        { id: newId("rcv"), userId: input.userId, codeHash, createdAt: at },
        guard,
      ),
    ),
    insertWhere(database, auditLogs, input.audit, guard),
    statement(
      database,
      database.update(users).set({ mfaEnabled: true, mfaLastStep: input.step, updatedAt: at }).where(stillEnrolling),
    ),
  ]);
  return changes(results[results.length - 1]) === 1;
}

export function replaceRecoveryCodesStatements(d1: D1Database, userId: string, codeHashes: string[], now: Date) {
  const at = now.toISOString();
  const rows = codeHashes.map((codeHash) => ({ id: newId("rcv"), userId, codeHash, createdAt: at }));
  return [
    db(d1).delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    ...chunkRows(mfaRecoveryCodes, rows).map((chunk) => db(d1).insert(mfaRecoveryCodes).values(chunk)),
  ] as const;
}

export function deleteRecoveryCodesStatement(d1: D1Database, userId: string) {
  return db(d1).delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
}

/** True if an unused code with this hash existed and is now used. */
export async function useRecoveryCode(d1: D1Database, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const rows = await db(d1)
    .update(mfaRecoveryCodes)
    .set({ usedAt: now.toISOString() })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, codeHash),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return rows.length > 0;
}

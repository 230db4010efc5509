// MFA recovery codes: ten per enrolment, stored as peppered HMACs, each consumed once by a conditional update.
import { and, eq, isNull } from "drizzle-orm";
import { db } from "./client";
import { mfaRecoveryCodes } from "./schema/identity";
import { newId } from "../lib/ids";

export function replaceRecoveryCodesStatements(d1: D1Database, userId: string, codeHashes: string[], now: Date) {
  const at = now.toISOString();
  return [
    db(d1).delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    db(d1)
      .insert(mfaRecoveryCodes)
      .values(codeHashes.map((codeHash) => ({ id: newId("rcv"), userId, codeHash, createdAt: at }))),
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
    .where(and(eq(mfaRecoveryCodes.userId, userId), eq(mfaRecoveryCodes.codeHash, codeHash), isNull(mfaRecoveryCodes.usedAt)))
    .returning({ id: mfaRecoveryCodes.id });
  return rows.length > 0;
}

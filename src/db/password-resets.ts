// Password reset tokens: single use (consumed by a conditional update), 30 minutes, stored as SHA-256.
import { and, eq, gt, isNull } from "drizzle-orm";
import { db } from "./client";
import { passwordResets } from "./schema/identity";
import { newId } from "../lib/ids";
import { hashOpaqueSecret, newOpaqueSecret } from "../lib/tokens";
import { PASSWORD_RESET_TTL_MINUTES, addMinutes } from "../domain/identity-policy";

export const RESET_TOKEN_MARKER = "prt_";

/** A new token for the user; earlier unused ones are retired (only the newest email works). */
export function newResetStatements(d1: D1Database, userId: string, now: Date) {
  const token = newOpaqueSecret(RESET_TOKEN_MARKER);
  const at = now.toISOString();
  const statements = [
    db(d1)
      .update(passwordResets)
      .set({ usedAt: at })
      .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    db(d1)
      .insert(passwordResets)
      .values({
        id: newId("pwr"),
        userId,
        tokenHash: token.hash,
        expiresAt: addMinutes(now, PASSWORD_RESET_TTL_MINUTES).toISOString(),
        createdAt: at,
      }),
  ] as const;
  return { token: token.secret, statements };
}

/** Marks the token used if it is live; returns its user, or null for an unknown, used or expired token. */
export async function consumeResetToken(d1: D1Database, token: string, now: Date): Promise<string | null> {
  const at = now.toISOString();
  const rows = await db(d1)
    .update(passwordResets)
    .set({ usedAt: at })
    .where(
      and(
        eq(passwordResets.tokenHash, hashOpaqueSecret(token)),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, at),
      ),
    )
    .returning({ userId: passwordResets.userId });
  return rows[0]?.userId ?? null;
}

// Sessions and their refresh-token chains: create, rotate (with reuse detection), revoke, list.
import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import { db } from "./client";
import { refreshTokens, sessions } from "./schema/identity";
import { newId } from "../lib/ids";
import { newOpaqueSecret, hashOpaqueSecret } from "../lib/tokens";
import { REFRESH_TOKEN_TTL_DAYS } from "../domain/identity-policy";

export const REFRESH_TOKEN_MARKER = "ert_";
const refreshExpiry = (now: Date) => new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * 86_400_000).toISOString();

export type SessionRow = typeof sessions.$inferSelect;

/** Statements creating a session with its first refresh token (run them in one batch), and that token. */
export function newSessionStatements(
  d1: D1Database,
  input: { userId: string; userAgent: string | null; ip: string | null },
  now: Date,
) {
  const sessionId = newId("ses");
  const refresh = newOpaqueSecret(REFRESH_TOKEN_MARKER);
  const at = now.toISOString();
  const expiresAt = refreshExpiry(now);
  const statements = [
    db(d1)
      .insert(sessions)
      .values({
        id: sessionId,
        userId: input.userId,
        userAgent: input.userAgent?.slice(0, 512) ?? null,
        ip: input.ip,
        createdAt: at,
        lastUsedAt: at,
        expiresAt,
      }),
    db(d1)
      .insert(refreshTokens)
      .values({
        id: newId("rft"),
        sessionId,
        tokenHash: refresh.hash,
        generation: 0,
        expiresAt,
        createdAt: at,
      }),
  ] as const;
  return { sessionId, refreshToken: refresh.secret, statements };
}

export interface RefreshLookup {
  tokenId: string;
  generation: number;
  tokenExpiresAt: string;
  replacedAt: string | null;
  sessionId: string;
  sessionRevokedAt: string | null;
  userId: string;
}

export async function findRefreshToken(d1: D1Database, token: string): Promise<RefreshLookup | null> {
  const rows = await db(d1)
    .select({
      tokenId: refreshTokens.id,
      generation: refreshTokens.generation,
      tokenExpiresAt: refreshTokens.expiresAt,
      replacedAt: refreshTokens.replacedAt,
      sessionId: sessions.id,
      sessionRevokedAt: sessions.revokedAt,
      userId: sessions.userId,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, hashOpaqueSecret(token)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Replaces the live refresh token `current` by `nextSecret`, atomically: the new row is inserted only while
 * `current` is still live, and `current` is marked replaced only if nobody did so first. Returns null when a
 * concurrent request won the race (the caller then answers from the rotation grace window).
 */
export async function rotateRefreshToken(
  d1: D1Database,
  current: RefreshLookup,
  nextSecret: string,
  context: { ip: string | null; userAgent: string | null },
  now: Date,
): Promise<string | null> {
  const next = { secret: nextSecret, hash: hashOpaqueSecret(nextSecret) };
  const at = now.toISOString();
  const expiresAt = refreshExpiry(now);
  const [, marked] = await d1.batch([
    d1
      .prepare(
        `INSERT INTO refresh_tokens (id, session_id, token_hash, generation, expires_at, created_at)
         SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM refresh_tokens WHERE id = ? AND replaced_at IS NULL)`,
      )
      .bind(newId("rft"), current.sessionId, next.hash, current.generation + 1, expiresAt, at, current.tokenId),
    d1
      .prepare(`UPDATE refresh_tokens SET replaced_at = ? WHERE id = ? AND replaced_at IS NULL`)
      .bind(at, current.tokenId),
    d1
      .prepare(
        `UPDATE sessions SET last_used_at = ?, expires_at = ?, ip = COALESCE(?, ip), user_agent = COALESCE(?, user_agent) WHERE id = ? AND revoked_at IS NULL`,
      )
      .bind(at, expiresAt, context.ip, context.userAgent?.slice(0, 512) ?? null, current.sessionId),
  ]);
  return marked!.meta.changes === 1 ? next.secret : null;
}

export function revokeSessionStatement(d1: D1Database, sessionId: string, reason: string, now: Date) {
  return db(d1)
    .update(sessions)
    .set({ revokedAt: now.toISOString(), revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** Every live session of the user, optionally sparing one (the caller's own, on password change). */
export function revokeUserSessionsStatement(
  d1: D1Database,
  userId: string,
  reason: string,
  now: Date,
  exceptSessionId?: string,
) {
  const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (exceptSessionId) conditions.push(ne(sessions.id, exceptSessionId));
  return db(d1)
    .update(sessions)
    .set({ revokedAt: now.toISOString(), revokedReason: reason })
    .where(and(...conditions));
}

export async function findUserSession(d1: D1Database, userId: string, sessionId: string): Promise<SessionRow | null> {
  const rows = await db(d1)
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .limit(1);
  return rows[0] ?? null;
}

/** Live sessions (not revoked, not expired), newest first. */
export async function listLiveSessions(d1: D1Database, userId: string, now: Date): Promise<SessionRow[]> {
  return db(d1)
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.toISOString())))
    .orderBy(desc(sessions.createdAt))
    .limit(100);
}

// The lookups `authenticate` does per request: a session (with its user) or an API key (with its owner).
// Each is one indexed D1 read by primary/unique key, joined to users so suspension/erasure apply at once.
import { and, eq, isNull } from "drizzle-orm";
import { db } from "./client";
import { apiKeys, sessions, users, type Role } from "./schema/identity";

export interface SessionState {
  sessionId: string;
  userId: string;
  role: Role;
  revokedAt: string | null;
  expiresAt: string;
  lastUsedAt: string;
  suspended: boolean;
  deletedAt: string | null;
}

export async function sessionState(d1: D1Database, sessionId: string): Promise<SessionState | null> {
  const rows = await db(d1)
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      role: users.role,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
      lastUsedAt: sessions.lastUsedAt,
      suspended: users.suspended,
      deletedAt: users.deletedAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sessionId))
    .limit(1);
  return rows[0] ?? null;
}

export interface ApiKeyState {
  id: string;
  userId: string;
  role: Role;
  scopes: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  suspended: boolean;
  deletedAt: string | null;
}

export async function apiKeyStateByHash(d1: D1Database, secretHash: string): Promise<ApiKeyState | null> {
  const rows = await db(d1)
    .select({
      id: apiKeys.id,
      userId: apiKeys.userId,
      role: users.role,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      suspended: users.suspended,
      deletedAt: users.deletedAt,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.secretHash, secretHash))
    .limit(1);
  return rows[0] ?? null;
}

/** "Last used" is informational: written at most once a minute per credential, off the response path. */
export const LAST_USED_GRANULARITY_MS = 60_000;

export async function touchSession(d1: D1Database, sessionId: string, now: Date) {
  await db(d1)
    .update(sessions)
    .set({ lastUsedAt: now.toISOString() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

export async function touchApiKey(d1: D1Database, keyId: string, now: Date) {
  await db(d1).update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(eq(apiKeys.id, keyId));
}

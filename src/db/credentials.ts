// The lookups `authenticate` does per request: a session (with its user) or an API key (with its owner).
// Each is one indexed D1 read by primary/unique key, joined to users so suspension/erasure apply at once.
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { auditInsert } from "../lib/audit";
import type { AuditLogEvent } from "../domain/events";
import { db } from "./client";
import { PreparedRead } from "./prepared";
import { apiKeys, sessions, users, type Role } from "./schema/identity";

/** What every credential check reads of the credential's owner: their role and whether they may still act. */
interface OwnerState {
  role: Role;
  suspended: boolean;
  deletedAt: string | null;
}
const OWNER_STATE = { role: users.role, suspended: users.suspended, deletedAt: users.deletedAt };

export interface SessionState extends OwnerState {
  sessionId: string;
  userId: string;
  revokedAt: string | null;
  expiresAt: string;
  lastUsedAt: string;
}

const sessionStateById = new PreparedRead((database) =>
  database
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
      lastUsedAt: sessions.lastUsedAt,
      ...OWNER_STATE,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder("sessionId")))
    .limit(1)
    .prepare(),
);

/** Prepared once per isolate (db/prepared.ts): read on every authenticated request the credential cache misses. */
export async function sessionState(d1: D1Database, sessionId: string): Promise<SessionState | null> {
  const rows = await sessionStateById.all(d1, { sessionId });
  return rows[0] ?? null;
}

export interface ApiKeyState extends OwnerState {
  id: string;
  userId: string;
  scopes: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function apiKeyStateByHash(d1: D1Database, secretHash: string): Promise<ApiKeyState | null> {
  const rows = await db(d1)
    .select({
      id: apiKeys.id,
      userId: apiKeys.userId,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      ...OWNER_STATE,
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

/**
 * Records a key's use: last_used_at, and an `api_key.used` audit row when this call moved it (at most once per
 * LAST_USED_GRANULARITY_MS per key, so concurrent requests do not each write one).
 */
export async function touchApiKey(
  d1: D1Database,
  keyId: string,
  now: Date,
  audit?: { userId: string; ip: string | null; userAgent: string | null },
) {
  const since = new Date(now.getTime() - LAST_USED_GRANULARITY_MS).toISOString();
  const moved = await db(d1)
    .update(apiKeys)
    .set({ lastUsedAt: now.toISOString() })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, since))));
  if (audit && moved.meta.changes === 1) {
    const used: AuditLogEvent = "api_key.used";
    await auditInsert(
      { DB: d1 },
      {
        action: used,
        actorId: audit.userId,
        ip: audit.ip,
        userAgent: audit.userAgent,
        resourceType: "api_key",
        resourceId: keyId,
      },
      now,
    );
  }
}

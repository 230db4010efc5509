// API key records: minting secrets (shown once, stored as SHA-256 + a display prefix), listing, rotation, revocation.
// Verification of a presented key is the auth middleware's job (src/lib/auth.ts); this module only writes and reads rows.
import { and, count, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Database } from "./client";
import { apiKeys } from "./schema/identity";
import { API_KEY_MARKER, newOpaqueSecret } from "../lib/tokens";
import type { Scope } from "../domain/scopes";
import { auditLogs } from "./schema/audit";
import { batch, belowCap, changes, insertWhere, rowExists } from "./guarded-writes";
import { viewPicker } from "../lib/view";
import { apiKeySchema } from "../schemas/api-keys";

/** `esk_` + 8 characters: enough to tell keys apart in a list, far too little to guess the rest. */
const DISPLAY_PREFIX_LENGTH = API_KEY_MARKER.length + 8;

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function mintSecret(): { secret: string; prefix: string; secretHash: string } {
  const { secret, hash } = newOpaqueSecret(API_KEY_MARKER);
  return { secret, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), secretHash: hash };
}

export type ApiKeyStatus = "active" | "expired" | "revoked";

export function keyStatus(row: Pick<ApiKeyRow, "revokedAt" | "expiresAt">, now = new Date()): ApiKeyStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt <= now.toISOString()) return "expired";
  return "active";
}

const apiKeyFields = viewPicker(apiKeySchema);

/** The public view of a key (schemas/api-keys.ts apiKeySchema): never the secret or its hash. */
export function apiKeyView(row: ApiKeyRow, now = new Date()) {
  return apiKeyFields({ ...row, scopes: JSON.parse(row.scopes) as string[], status: keyStatus(row, now) });
}

export function newApiKeyRow(input: {
  id: string;
  userId: string;
  name: string;
  scopes: readonly Scope[];
  expiresAt: string | null;
  now: string;
}) {
  const { secret, prefix, secretHash } = mintSecret();
  const row: ApiKeyRow = {
    id: input.id,
    userId: input.userId,
    name: input.name,
    prefix,
    secretHash,
    scopes: JSON.stringify([...new Set(input.scopes)]),
    expiresAt: input.expiresAt,
    lastUsedAt: null,
    revokedAt: null,
    createdAt: input.now,
  };
  return { row, secret };
}

/** A page of the user's keys, newest first, with the total. */
export async function listApiKeys(database: Database, userId: string, page: { limit: number; offset: number }) {
  const where = eq(apiKeys.userId, userId);
  const [items, total] = await Promise.all([
    database
      .select()
      .from(apiKeys)
      .where(where)
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
      .limit(page.limit)
      .offset(page.offset)
      .all(),
    database.select({ n: count() }).from(apiKeys).where(where).get(),
  ]);
  return { items, total: total?.n ?? 0 };
}

/** The user's keys that still authenticate (not revoked, not expired). */
function activeKeysOf(userId: string, now: Date) {
  return and(
    eq(apiKeys.userId, userId),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now.toISOString())),
  );
}

export async function activeKeyCount(database: Database, userId: string, now: Date): Promise<number> {
  const row = await database.select({ n: count() }).from(apiKeys).where(activeKeysOf(userId, now)).get();
  return row?.n ?? 0;
}

/**
 * Inserts the key and its audit row only while the owner has fewer than `cap` active keys, decided in one D1
 * batch (concurrent creates cannot all pass a count read earlier).
 * @returns false when the cap was reached (nothing written)
 */
export async function insertApiKeyWithinCap(
  database: Database,
  row: ApiKeyRow,
  audit: typeof auditLogs.$inferInsert,
  cap: number,
  now: Date,
): Promise<boolean> {
  const [inserted] = await batch(database, [
    insertWhere(database, apiKeys, row, belowCap(apiKeys, activeKeysOf(row.userId, now), cap)),
    insertWhere(database, auditLogs, audit, rowExists(apiKeys, eq(apiKeys.id, row.id))),
  ]);
  return changes(inserted) === 1;
}

/** The caller's key (revoked ones included, so a second DELETE can say so); undefined for anyone else's. */
export function findOwnApiKey(database: Database, userId: string, id: string) {
  return database
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
    .get();
}

/** New secret in place of the old one (same id, name, scopes): the old secret's hash is gone, so it is dead at once. */
export function rotateStatement(database: Database, id: string, secretHash: string, prefix: string) {
  return database
    .update(apiKeys)
    .set({ secretHash, prefix, lastUsedAt: null })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
}

export function revokeStatement(database: Database, id: string, now: string) {
  return database
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
}

/** Revokes every live key of a user (suspension, erasure). */
export function revokeAllStatement(database: Database, userId: string, now: string) {
  return database
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
}

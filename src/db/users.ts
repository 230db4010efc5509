// User rows: lookups, the public `user` view of API.md, and the writes identity flows make.
import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { selectInChunks } from "./chunks";
import { db, type Database } from "./client";
import { PreparedRead } from "./prepared";
import { users, type AccountType, type Role } from "./schema/identity";
import type { z } from "@hono/zod-openapi";
import { userSchema } from "../schemas/user";
import { viewPicker } from "../lib/view";

export type UserRow = typeof users.$inferSelect;

const userFields = viewPicker(userSchema);

/** API.md's `user` object (schemas/user.ts); never the hash, MFA secret or internal flags. */
export function userView(row: UserRow): UserView {
  return userFields({
    ...row,
    emailVerified: row.emailVerifiedAt !== null,
    phoneVerified: row.phoneVerifiedAt !== null,
    // Served by GET /api/v1/users/{id}/avatar (src/routes/users.ts).
    avatarUrl: row.avatarKey ? `/api/v1/users/${row.id}/avatar` : null,
  });
}
export type UserView = z.infer<typeof userSchema>;

export async function findUserByEmail(d1: D1Database, normalisedEmail: string): Promise<UserRow | null> {
  const rows = await db(d1).select().from(users).where(eq(users.email, normalisedEmail)).limit(1);
  return rows[0] ?? null;
}

/**
 * THE way an email address becomes an account anywhere something is addressed to an email (escrow seller, contract
 * share, signer, team invitation, inbound mail sender, notification audience): only an account that proved the
 * address (verified, not erased) is that address's identity. An unverified registration gains nothing.
 * @param normalisedEmail lower-cased, trimmed (normaliseEmail)
 * @returns the verified, live account or null
 */
export async function findVerifiedUserByEmail(d1: D1Database, normalisedEmail: string): Promise<UserRow | null> {
  const rows = await db(d1)
    .select()
    .from(users)
    .where(and(eq(users.email, normalisedEmail), isNotNull(users.emailVerifiedAt), isNull(users.deletedAt)))
    .limit(1);
  return rows[0] ?? null;
}

/** Ids of the verified, live accounts among these addresses (any number: the IN-list is chunked under D1's limits). */
export async function verifiedUserIdsByEmails(d1: D1Database, normalisedEmails: readonly string[]): Promise<string[]> {
  const emails = [...new Set(normalisedEmails)];
  const rows = await selectInChunks(emails, (chunk) =>
    db(d1)
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.email, chunk), isNotNull(users.emailVerifiedAt), isNull(users.deletedAt)))
      .all(),
  );
  return rows.map((r) => r.id);
}

/** Whether the account may still act (not suspended, not erased): gates work queued on its behalf. */
export async function mayActFor(database: Database, userId: string): Promise<boolean> {
  const row = await database
    .select({ suspended: users.suspended, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return !!row && !row.suspended && row.deletedAt === null;
}

/** Prepared once per isolate (db/prepared.ts): GET /auth/me and most authorised reads look a user up by id. */
const userById = new PreparedRead((database) =>
  database
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder("id")))
    .limit(1)
    .prepare(),
);

export async function findUserById(d1: D1Database, id: string): Promise<UserRow | null> {
  const rows = await userById.all(d1, { id });
  return rows[0] ?? null;
}

/**
 * The password hash of an account created by a provider sign-in: no PHC string, so no password ever verifies
 * against it; the person can set one with a password reset.
 */
export const NO_PASSWORD_HASH = "!none";

/** Whether the account can sign in with a password (erased and provider-only accounts cannot). */
export function hasPassword(user: Pick<UserRow, "passwordHash">): boolean {
  return !user.passwordHash.startsWith("!");
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  accountType: AccountType;
  company: string | null;
  industry: string | null;
}

export function insertUser(d1: D1Database, user: NewUser, now: Date) {
  const at = now.toISOString();
  return db(d1)
    .insert(users)
    .values({ ...user, createdAt: at, updatedAt: at });
}

export function setPasswordHash(d1: D1Database, userId: string, passwordHash: string, now: Date) {
  return db(d1).update(users).set({ passwordHash, updatedAt: now.toISOString() }).where(eq(users.id, userId));
}

export function markEmailVerified(d1: D1Database, userId: string, now: Date) {
  const at = now.toISOString();
  return db(d1).update(users).set({ emailVerifiedAt: at, updatedAt: at }).where(eq(users.id, userId));
}

export function updateMfa(
  d1: D1Database,
  userId: string,
  fields: { mfaEnabled?: boolean; mfaSecretSealed?: string | null; mfaLastStep?: number | null },
  now: Date,
) {
  return db(d1)
    .update(users)
    .set({ ...fields, updatedAt: now.toISOString() })
    .where(eq(users.id, userId));
}

/** ADMIN_EMAILS take effect once the address is proven: a plain user becomes admin (never demotes anyone). */
export function grantConfiguredAdmin(d1: D1Database, userId: string, now: Date) {
  return db(d1)
    .update(users)
    .set({ role: "admin", updatedAt: now.toISOString() })
    .where(and(eq(users.id, userId), eq(users.role, "user")));
}

/**
 * Records `step` as the last TOTP step used, only if it is newer than the stored one: of two requests racing with
 * the same code, exactly one gets true.
 */
export async function claimTotpStep(d1: D1Database, userId: string, step: number, now: Date): Promise<boolean> {
  const result = await db(d1)
    .update(users)
    .set({ mfaLastStep: step, updatedAt: now.toISOString() })
    .where(and(eq(users.id, userId), or(isNull(users.mfaLastStep), lt(users.mfaLastStep, step))));
  return result.meta.changes === 1;
}

/** SQLite reports a UNIQUE violation in the message; D1 wraps it. */
export function isUniqueViolation(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : String(error);
  return /UNIQUE constraint failed/i.test(text);
}

/** Makes `phone` (E.164) the user's verified number. */
export function setVerifiedPhone(d1: D1Database, userId: string, phone: string, now: Date) {
  const at = now.toISOString();
  return db(d1).update(users).set({ phone, phoneVerifiedAt: at, updatedAt: at }).where(eq(users.id, userId));
}

/** The statement that writes `changes` to the user row (for a batch with its audit entries). */
export function updateUserStatement(database: Database, userId: string, changes: Partial<UserRow>) {
  return database.update(users).set(changes).where(eq(users.id, userId));
}

/** The R2 key of the user's avatar; null when there is none (or no such user). */
export async function findAvatarKey(d1: D1Database, userId: string): Promise<string | null> {
  const row = await db(d1).select({ avatarKey: users.avatarKey }).from(users).where(eq(users.id, userId)).get();
  return row?.avatarKey ?? null;
}

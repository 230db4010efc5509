// Partner OAuth 2 records: applications, authorizations (grants), one-time codes and tokens. Minting secrets
// (shown once, stored as SHA-256), the guarded writes that keep codes single-use and refresh tokens rotating,
// and the one read the auth middleware does per OAuth request. Protocol rules live in src/domain/oauth.ts.
import { and, count, desc, eq, gt, inArray, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { db } from "./client";
import { oauthApplications, oauthCodes, oauthGrants, oauthTokens, type OAuthGrantKind } from "./schema/oauth";
import { users, type Role } from "./schema/identity";
import { auditLogs } from "./schema/audit";
import { batch, belowCap, changes, insertWhere, rowExists, statement } from "./guarded-writes";
import { hashOpaqueSecret, newOpaqueSecret } from "../lib/tokens";
import { newId } from "../lib/ids";
import {
  ACCESS_TOKEN_MARKER,
  ACCESS_TOKEN_TTL_SECONDS,
  CLIENT_SECRET_MARKER,
  REFRESH_TOKEN_MARKER,
  REFRESH_TOKEN_TTL_SECONDS,
} from "../domain/oauth";
import type { Scope } from "../domain/scopes";
import { viewPicker } from "../lib/view";
import { applicationSchema, authorizationSchema } from "../schemas/oauth";

export type OAuthApplicationRow = typeof oauthApplications.$inferSelect;
export type OAuthGrantRow = typeof oauthGrants.$inferSelect;
export type OAuthCodeRow = typeof oauthCodes.$inferSelect;
export type OAuthTokenRow = typeof oauthTokens.$inferSelect;

/** JSON array columns written by this module; a damaged value reads as empty (grants nothing). */
export function jsonList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

// ---- applications ----

const applicationFields = viewPicker(applicationSchema);

/** The owner's view of an application (schemas/oauth.ts applicationSchema): never the secret or its hash. */
export function applicationView(row: OAuthApplicationRow) {
  return applicationFields({
    ...row,
    clientId: row.id,
    redirectUris: jsonList(row.redirectUris),
    scopes: jsonList(row.scopes),
  });
}

export function newApplicationRow(input: {
  ownerId: string;
  name: string;
  redirectUris: readonly string[];
  scopes: readonly Scope[];
  now: string;
}): { row: OAuthApplicationRow; clientSecret: string } {
  const { secret, hash } = newOpaqueSecret(CLIENT_SECRET_MARKER);
  return {
    clientSecret: secret,
    row: {
      id: newId("oap"),
      ownerId: input.ownerId,
      name: input.name,
      secretHash: hash,
      redirectUris: JSON.stringify([...new Set(input.redirectUris)]),
      scopes: JSON.stringify([...new Set(input.scopes)]),
      createdAt: input.now,
      updatedAt: input.now,
      deletedAt: null,
    },
  };
}

const liveApplicationsOf = (ownerId: string) =>
  and(eq(oauthApplications.ownerId, ownerId), isNull(oauthApplications.deletedAt));

/**
 * Inserts the application and its audit row only while the owner holds fewer than `cap` applications, in one batch.
 * @returns false when the cap was reached (nothing written)
 */
export async function insertApplicationWithinCap(
  database: Database,
  row: OAuthApplicationRow,
  audit: typeof auditLogs.$inferInsert,
  cap: number,
): Promise<boolean> {
  const [inserted] = await batch(database, [
    insertWhere(database, oauthApplications, row, belowCap(oauthApplications, liveApplicationsOf(row.ownerId), cap)),
    insertWhere(database, auditLogs, audit, rowExists(oauthApplications, eq(oauthApplications.id, row.id))),
  ]);
  return changes(inserted) === 1;
}

export async function listApplications(database: Database, ownerId: string, page: { limit: number; offset: number }) {
  const where = liveApplicationsOf(ownerId);
  const [items, total] = await Promise.all([
    database
      .select()
      .from(oauthApplications)
      .where(where)
      .orderBy(desc(oauthApplications.createdAt), desc(oauthApplications.id))
      .limit(page.limit)
      .offset(page.offset)
      .all(),
    database.select({ n: count() }).from(oauthApplications).where(where).get(),
  ]);
  return { items, total: total?.n ?? 0 };
}

/** The owner's live application; undefined for anyone else's, a deleted one or an unknown id. */
export function findOwnApplication(database: Database, ownerId: string, id: string) {
  return database
    .select()
    .from(oauthApplications)
    .where(
      and(eq(oauthApplications.id, id), eq(oauthApplications.ownerId, ownerId), isNull(oauthApplications.deletedAt)),
    )
    .get();
}

/** A live application by client_id, for the authorization and token endpoints. */
export function findApplication(database: Database, clientId: string) {
  return database
    .select()
    .from(oauthApplications)
    .where(and(eq(oauthApplications.id, clientId), isNull(oauthApplications.deletedAt)))
    .get();
}

export function updateApplicationStatement(
  database: Database,
  id: string,
  changes: { name?: string; redirectUris?: readonly string[]; scopes?: readonly Scope[] },
  now: string,
) {
  const uniqueJson = (list: readonly string[]) => JSON.stringify([...new Set(list)]);
  return database
    .update(oauthApplications)
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.redirectUris !== undefined ? { redirectUris: uniqueJson(changes.redirectUris) } : {}),
      ...(changes.scopes !== undefined ? { scopes: uniqueJson(changes.scopes) } : {}),
      updatedAt: now,
    })
    .where(and(eq(oauthApplications.id, id), isNull(oauthApplications.deletedAt)))
    .returning();
}

/** Deleting an application revokes every authorization it holds, so its tokens die with it. */
export function deleteApplicationStatements(database: Database, id: string, now: string) {
  return [
    database.update(oauthApplications).set({ deletedAt: now, updatedAt: now }).where(eq(oauthApplications.id, id)),
    database
      .update(oauthGrants)
      .set({ revokedAt: now, revokedReason: "application_deleted" })
      .where(and(eq(oauthGrants.applicationId, id), isNull(oauthGrants.revokedAt))),
  ] as const;
}

// ---- authorization codes ----

export function insertCode(database: Database, row: OAuthCodeRow) {
  return database.insert(oauthCodes).values(row);
}

export function findCode(database: Database, codeHash: string) {
  return database.select().from(oauthCodes).where(eq(oauthCodes.codeHash, codeHash)).get();
}

// ---- grants and tokens ----

export interface MintedTokens {
  accessToken: string;
  refreshToken: string | null;
  rows: OAuthTokenRow[];
}

/**
 * New token rows for a grant: an access token with `scopes` and, unless `refreshScopes` is null, a refresh token
 * with those (RFC 6749 §6: a rotated refresh token keeps the scope of the one it replaces, even when the access
 * token was narrowed). Secrets are returned once.
 */
export function mintTokens(
  grantId: string,
  scopes: readonly Scope[],
  now: Date,
  refreshScopes: readonly Scope[] | null,
): MintedTokens {
  const scopeJson = JSON.stringify(scopes);
  const at = now.toISOString();
  const access = newOpaqueSecret(ACCESS_TOKEN_MARKER);
  const rows: OAuthTokenRow[] = [
    {
      id: newId("oat"),
      grantId,
      kind: "access",
      tokenHash: access.hash,
      scopes: scopeJson,
      createdAt: at,
      expiresAt: new Date(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000).toISOString(),
      rotatedAt: null,
      revokedAt: null,
    },
  ];
  let refreshToken: string | null = null;
  if (refreshScopes) {
    const r = newOpaqueSecret(REFRESH_TOKEN_MARKER);
    refreshToken = r.secret;
    rows.push({
      id: newId("oat"),
      grantId,
      kind: "refresh",
      tokenHash: r.hash,
      scopes: JSON.stringify(refreshScopes),
      createdAt: at,
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString(),
      rotatedAt: null,
      revokedAt: null,
    });
  }
  return { accessToken: access.secret, refreshToken, rows };
}

export function newGrantRow(input: {
  applicationId: string;
  userId: string;
  kind: OAuthGrantKind;
  scopes: readonly Scope[];
  now: string;
}): OAuthGrantRow {
  return {
    id: newId("oag"),
    applicationId: input.applicationId,
    userId: input.userId,
    kind: input.kind,
    scopes: JSON.stringify(input.scopes),
    createdAt: input.now,
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
  };
}

/**
 * Redeems an authorization code: marks it used and, in the same batch and only if that mark happened, writes the
 * grant and its tokens. Two concurrent redemptions cannot both succeed.
 * @returns true when this call redeemed the code; false when it was already used or expired meanwhile
 */
export async function redeemCode(
  database: Database,
  codeHash: string,
  grant: OAuthGrantRow,
  tokens: OAuthTokenRow[],
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const redeemed = and(eq(oauthCodes.codeHash, codeHash), eq(oauthCodes.grantId, grant.id));
  const [marked] = await batch(database, [
    statement(
      database,
      database
        .update(oauthCodes)
        .set({ usedAt: at, grantId: grant.id })
        .where(and(eq(oauthCodes.codeHash, codeHash), isNull(oauthCodes.usedAt), gt(oauthCodes.expiresAt, at))),
    ),
    insertWhere(database, oauthGrants, grant, rowExists(oauthCodes, redeemed)),
    ...tokens.map((t) => insertWhere(database, oauthTokens, t, rowExists(oauthGrants, eq(oauthGrants.id, grant.id)))),
  ]);
  return changes(marked) === 1;
}

/** Marks a code used without redeeming it (so a later correct attempt cannot follow a failed one). */
export function burnCodeStatement(database: Database, codeHash: string, now: string) {
  return database
    .update(oauthCodes)
    .set({ usedAt: now })
    .where(and(eq(oauthCodes.codeHash, codeHash), isNull(oauthCodes.usedAt)));
}

export function revokeGrantStatement(database: Database, grantId: string, reason: string, now: string) {
  return database
    .update(oauthGrants)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(oauthGrants.id, grantId), isNull(oauthGrants.revokedAt)));
}

export function insertTokensStatements(database: Database, tokens: OAuthTokenRow[]) {
  return tokens.map((t) => database.insert(oauthTokens).values(t));
}

/** The live client-credentials grant of an application, if any (one per application, reused by every token). */
export function findClientCredentialsGrant(database: Database, applicationId: string) {
  return database
    .select()
    .from(oauthGrants)
    .where(
      and(
        eq(oauthGrants.applicationId, applicationId),
        eq(oauthGrants.kind, "client_credentials"),
        isNull(oauthGrants.revokedAt),
      ),
    )
    .orderBy(desc(oauthGrants.createdAt))
    .get();
}

export function insertGrant(database: Database, grant: OAuthGrantRow) {
  return database.insert(oauthGrants).values(grant);
}

/** A token with its grant, application and user: what the token and revocation endpoints decide on. */
export async function tokenWithGrant(database: Database, tokenHash: string) {
  return database
    .select({
      token: oauthTokens,
      grant: oauthGrants,
      applicationDeletedAt: oauthApplications.deletedAt,
      applicationScopes: oauthApplications.scopes,
      role: users.role,
      suspended: users.suspended,
      userDeletedAt: users.deletedAt,
    })
    .from(oauthTokens)
    .innerJoin(oauthGrants, eq(oauthGrants.id, oauthTokens.grantId))
    .innerJoin(oauthApplications, eq(oauthApplications.id, oauthGrants.applicationId))
    .innerJoin(users, eq(users.id, oauthGrants.userId))
    .where(eq(oauthTokens.tokenHash, tokenHash))
    .get();
}

/**
 * Rotates a refresh token: the old one is marked rotated and the new pair written in the same batch, only if the old
 * one was still unrotated (two concurrent refreshes cannot both succeed).
 * @returns true when this call rotated it
 */
export async function rotateRefreshToken(
  database: Database,
  oldTokenId: string,
  tokens: OAuthTokenRow[],
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const rotatedNow = and(eq(oauthTokens.id, oldTokenId), eq(oauthTokens.rotatedAt, at));
  const [marked] = await batch(database, [
    statement(
      database,
      database
        .update(oauthTokens)
        .set({ rotatedAt: at })
        .where(and(eq(oauthTokens.id, oldTokenId), isNull(oauthTokens.rotatedAt), isNull(oauthTokens.revokedAt))),
    ),
    ...tokens.map((t) => insertWhere(database, oauthTokens, t, rowExists(oauthTokens, rotatedNow))),
  ]);
  return changes(marked) === 1;
}

export function revokeTokenStatement(database: Database, tokenId: string, now: string) {
  return database
    .update(oauthTokens)
    .set({ revokedAt: now })
    .where(and(eq(oauthTokens.id, tokenId), isNull(oauthTokens.revokedAt)));
}

// ---- the user's authorizations ----

const authorizationFields = viewPicker(authorizationSchema);

/** A user's authorization (schemas/oauth.ts authorizationSchema) with the name of its application. */
export function authorizationView(row: { grant: OAuthGrantRow; applicationName: string }) {
  return authorizationFields({
    ...row.grant,
    application: { id: row.grant.applicationId, name: row.applicationName },
    scopes: jsonList(row.grant.scopes),
  });
}

const liveGrantsOf = (userId: string) => and(eq(oauthGrants.userId, userId), isNull(oauthGrants.revokedAt));

/** The user's live authorizations (applications they consented to, and their own applications' client grants). */
export async function listAuthorizations(database: Database, userId: string, page: { limit: number; offset: number }) {
  const where = liveGrantsOf(userId);
  const [items, total] = await Promise.all([
    database
      .select({ grant: oauthGrants, applicationName: oauthApplications.name })
      .from(oauthGrants)
      .innerJoin(oauthApplications, eq(oauthApplications.id, oauthGrants.applicationId))
      .where(where)
      .orderBy(desc(oauthGrants.createdAt), desc(oauthGrants.id))
      .limit(page.limit)
      .offset(page.offset)
      .all(),
    database.select({ n: count() }).from(oauthGrants).where(where).get(),
  ]);
  return { items, total: total?.n ?? 0 };
}

/** One of the user's authorizations (revoked ones included, so a second DELETE can answer it). */
export function findOwnAuthorization(database: Database, userId: string, id: string) {
  return database
    .select({ grant: oauthGrants, applicationName: oauthApplications.name })
    .from(oauthGrants)
    .innerJoin(oauthApplications, eq(oauthApplications.id, oauthGrants.applicationId))
    .where(and(eq(oauthGrants.id, id), eq(oauthGrants.userId, userId)))
    .get();
}

/** What the token endpoint needs to know of a user before issuing tokens for them. */
export function userStanding(database: Database, userId: string) {
  return database
    .select({ role: users.role, suspended: users.suspended, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
}

// ---- the auth middleware's read ----

export interface OAuthAccessState {
  grantId: string;
  userId: string;
  role: Role;
  tokenScopes: string;
  applicationScopes: string;
  expiresAt: string;
  lastUsedAt: string | null;
  live: boolean;
}

/**
 * An access token `eoa_…` with everything that can end it, in one indexed read: the token (revoked, expired), its
 * authorization (revoked), its application (deleted) and its user (suspended, erased).
 */
export async function oauthAccessState(d1: D1Database, token: string, now: Date): Promise<OAuthAccessState | null> {
  const row = await tokenWithGrant(db(d1), hashOpaqueSecret(token));
  if (!row || row.token.kind !== "access") return null;
  const live =
    row.token.revokedAt === null &&
    row.token.expiresAt > now.toISOString() &&
    row.grant.revokedAt === null &&
    row.applicationDeletedAt === null &&
    !row.suspended &&
    row.userDeletedAt === null;
  return {
    grantId: row.grant.id,
    userId: row.grant.userId,
    role: row.role,
    tokenScopes: row.token.scopes,
    applicationScopes: row.applicationScopes,
    expiresAt: row.token.expiresAt,
    lastUsedAt: row.grant.lastUsedAt,
    live,
  };
}

export async function touchGrant(d1: D1Database, grantId: string, now: Date) {
  await db(d1).update(oauthGrants).set({ lastUsedAt: now.toISOString() }).where(eq(oauthGrants.id, grantId));
}

// ---- erasure ----

/** A user's erasure: their authorizations end and their applications are deleted (with every grant they hold). */
export function eraseOAuthStatements(database: Database, userId: string, now: string): BatchItem<"sqlite">[] {
  const ownApplications = database
    .select({ id: oauthApplications.id })
    .from(oauthApplications)
    .where(eq(oauthApplications.ownerId, userId));
  return [
    database
      .update(oauthGrants)
      .set({ revokedAt: now, revokedReason: "user_erased" })
      .where(and(eq(oauthGrants.userId, userId), isNull(oauthGrants.revokedAt))),
    database
      .update(oauthGrants)
      .set({ revokedAt: now, revokedReason: "application_deleted" })
      .where(and(isNull(oauthGrants.revokedAt), inArray(oauthGrants.applicationId, ownApplications))),
    database
      .update(oauthApplications)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(oauthApplications.ownerId, userId), isNull(oauthApplications.deletedAt))),
    database.delete(oauthCodes).where(eq(oauthCodes.userId, userId)),
  ];
}

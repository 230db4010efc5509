// Queries of external sign-in: linked identities, pending authorization flows (single use, 10 minutes) and the MFA
// challenges a provider sign-in answers (single use, 5 minutes, attempts counted before comparing).
import { and, asc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { db } from "./client";
import { loginChallenges, oidcFlows, userIdentities, users } from "./schema/identity";
import { hasPassword } from "./users";
import { newId } from "../lib/ids";
import { sha256Hex } from "../lib/crypto";
import {
  LOGIN_CHALLENGE_MAX_ATTEMPTS,
  LOGIN_CHALLENGE_TTL_SECONDS,
  OIDC_FLOW_TTL_SECONDS,
  type OidcProvider,
} from "../domain/oidc";

export type IdentityRow = typeof userIdentities.$inferSelect;
export type OidcFlowRow = typeof oidcFlows.$inferSelect;

/** What the API shows of a linked identity. */
export function identityView(row: IdentityRow) {
  return {
    id: row.id,
    provider: row.provider as OidcProvider,
    email: row.email,
    emailVerified: row.emailVerified,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export async function findIdentityBySubject(d1: D1Database, provider: OidcProvider, issuer: string, subject: string) {
  return (
    (await db(d1)
      .select()
      .from(userIdentities)
      .where(
        and(
          eq(userIdentities.provider, provider),
          eq(userIdentities.issuer, issuer),
          eq(userIdentities.subject, subject),
        ),
      )
      .get()) ?? null
  );
}

export async function listIdentities(d1: D1Database, userId: string): Promise<IdentityRow[]> {
  return db(d1)
    .select()
    .from(userIdentities)
    .where(eq(userIdentities.userId, userId))
    .orderBy(asc(userIdentities.createdAt))
    .all();
}

/** The caller's identities and whether a password is set (the ways they can sign in). */
export async function identitiesOf(d1: D1Database, userId: string) {
  const [rows, user] = await Promise.all([
    listIdentities(d1, userId),
    db(d1).select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).get(),
  ]);
  return { identities: rows.map(identityView), hasPassword: user ? hasPassword(user) : false };
}

export function insertIdentityStatement(
  d1: D1Database,
  input: {
    userId: string;
    provider: OidcProvider;
    issuer: string;
    subject: string;
    email: string | null;
    emailVerified: boolean;
  },
  now: Date,
) {
  const id = newId("idn");
  const at = now.toISOString();
  return {
    id,
    statement: db(d1)
      .insert(userIdentities)
      .values({ id, ...input, createdAt: at, lastUsedAt: at }),
  };
}

/** Records a sign-in with the identity and the email the provider asserted this time. */
export function touchIdentityStatement(
  d1: D1Database,
  id: string,
  email: string | null,
  emailVerified: boolean,
  now: Date,
) {
  return db(d1)
    .update(userIdentities)
    .set({ lastUsedAt: now.toISOString(), email, emailVerified })
    .where(eq(userIdentities.id, id));
}

/**
 * Deletes the identity only while another way to sign in remains, checked in the same statement (two unlinks racing
 * cannot remove the last two identities of a password-less account). Returns the deleted id, or none.
 */
export function deleteIdentityStatement(d1: D1Database, userId: string, id: string) {
  return db(d1)
    .delete(userIdentities)
    .where(
      and(
        eq(userIdentities.id, id),
        eq(userIdentities.userId, userId),
        sql`((select count(*) from user_identities where user_id = ${userId}) > 1
          or (select substr(password_hash, 1, 1) from users where id = ${userId}) <> '!')`,
      ),
    )
    .returning({ id: userIdentities.id });
}

/** The D1 key of a flow: the SHA-256 of its `state` (the state itself is a bearer secret in the browser's URL). */
const flowKey = (state: string) => sha256Hex(`oidc-state:${state}`);

/** Statements storing a new flow (and dropping flows expired a day ago, so the table stays small). */
export function newFlowStatements(
  d1: D1Database,
  input: {
    state: string;
    provider: OidcProvider;
    codeVerifier: string;
    nonce: string;
    redirectUri: string;
    returnTo: string | null;
    linkUserId: string | null;
  },
  now: Date,
) {
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + OIDC_FLOW_TTL_SECONDS * 1000).toISOString();
  const { state, ...rest } = input;
  const stale = new Date(now.getTime() - 86_400_000).toISOString();
  return {
    expiresAt,
    statements: [
      db(d1).delete(oidcFlows).where(lt(oidcFlows.expiresAt, stale)),
      db(d1)
        .insert(oidcFlows)
        .values({ id: flowKey(state), ...rest, expiresAt, createdAt: at }),
    ] as const,
  };
}

/**
 * Consumes the live flow of `state` for `provider` exactly once (a guarded update: two callbacks racing with the
 * same state cannot both win).
 * @returns the flow, or null when unknown, of another provider, expired or already used
 */
export async function consumeFlow(
  d1: D1Database,
  provider: OidcProvider,
  state: string,
  now: Date,
): Promise<OidcFlowRow | null> {
  const at = now.toISOString();
  return (
    (await db(d1)
      .update(oidcFlows)
      .set({ usedAt: at })
      .where(
        and(
          eq(oidcFlows.id, flowKey(state)),
          eq(oidcFlows.provider, provider),
          isNull(oidcFlows.usedAt),
          gt(oidcFlows.expiresAt, at),
        ),
      )
      .returning()
      .get()) ?? null
  );
}

const challengeKey = (challenge: string) => sha256Hex(`login-challenge:${challenge}`);

export function newChallengeStatement(
  d1: D1Database,
  input: { challenge: string; userId: string; method: string },
  now: Date,
) {
  const expiresAt = new Date(now.getTime() + LOGIN_CHALLENGE_TTL_SECONDS * 1000).toISOString();
  return {
    expiresAt,
    statement: db(d1)
      .insert(loginChallenges)
      .values({
        id: challengeKey(input.challenge),
        userId: input.userId,
        method: input.method,
        expiresAt,
        createdAt: now.toISOString(),
      }),
  };
}

/**
 * Spends one attempt of a live challenge before its code is compared, so parallel guesses cannot exceed the limit.
 * @returns the challenge's user and method, or null when unknown, expired, used or out of attempts
 */
export async function spendChallengeAttempt(d1: D1Database, challenge: string, now: Date) {
  const at = now.toISOString();
  return (
    (await db(d1)
      .update(loginChallenges)
      .set({ attempts: sql`${loginChallenges.attempts} + 1` })
      .where(
        and(
          eq(loginChallenges.id, challengeKey(challenge)),
          isNull(loginChallenges.usedAt),
          gt(loginChallenges.expiresAt, at),
          lt(loginChallenges.attempts, LOGIN_CHALLENGE_MAX_ATTEMPTS),
        ),
      )
      .returning({ userId: loginChallenges.userId, method: loginChallenges.method })
      .get()) ?? null
  );
}

/** Marks the challenge used, in the batch that starts the session. */
export function useChallengeStatement(d1: D1Database, challenge: string, now: Date) {
  return db(d1)
    .update(loginChallenges)
    .set({ usedAt: now.toISOString() })
    .where(eq(loginChallenges.id, challengeKey(challenge)));
}

// The callback of "Sign in with <provider>": consumes the flow of `state` once, verifies the provider's answer, then
// applies the linking policy (src/domain/oidc.ts decideSignIn) — sign in a linked identity, link it to the account
// that verified the same address, create a new account, or refuse — and issues the same token pair as a password
// login, or an MFA challenge (AUTH005) when the account has MFA on. A flow started by a signed-in user links instead.
import { drawableLine } from "../../lib/fonts";
import type { Context } from "hono";
import type { BatchItem } from "drizzle-orm/batch";
import type { AppEnv } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert, requestOrigin } from "../../lib/audit";
import { newId, randomToken } from "../../lib/ids";
import { finishAuthorization, providerConfig } from "../../lib/oidc";
import { startSession } from "../../lib/session-issue";
import { endLiveSessions } from "../../lib/live-sessions";
import { db } from "../../db/client";
import {
  consumeFlow,
  findIdentityBySubject,
  identityView,
  insertIdentityStatement,
  listIdentities,
  newChallengeStatement,
  touchIdentityStatement,
} from "../../db/oidc";
import {
  NO_PASSWORD_HASH,
  findUserByEmail,
  findUserById,
  grantConfiguredAdmin,
  insertUser,
  isUniqueViolation,
  markEmailVerified,
  type UserRow,
} from "../../db/users";
import { retireUnverifiedStatements } from "../../db/user-data";
import { isAdminEmail } from "../../domain/identity-policy";
import { PROVIDER_DEFAULTS, assertedEmail, decideSignIn, type OidcProvider } from "../../domain/oidc";
import type { tokenPair } from "../../lib/session-issue";

export interface SignInWithProviderInput {
  provider: OidcProvider;
  /** The callback's query: `code` and `state` (and `iss`), or the provider's `error`. */
  params: URLSearchParams;
}

export type ProviderCallbackResult =
  | { kind: "session"; pair: Awaited<ReturnType<typeof tokenPair>>; created: boolean; returnTo: string | null }
  | { kind: "linked"; identity: ReturnType<typeof identityView>; returnTo: string | null };

/**
 * @throws ApiError RES001 (provider not configured); AUTH001 with `details.reason` (unknown/expired/used state, or
 *   the answer does not verify: code, nonce, issuer, audience, signature); AUTH006 (the provider shares no email, or
 *   does not vouch for an address an account holds); AUTH003 (suspended account); AUTH005 with
 *   `details: { mfaRequired, challenge, expiresAt }` when MFA is on; RES002 when linking an identity another account
 *   holds, or a second identity of the same provider; PROC001 when the provider is unreachable
 */
export async function signInWithProvider(
  c: Context<AppEnv>,
  input: SignInWithProviderInput,
): Promise<ProviderCallbackResult> {
  const env = c.env;
  const { provider, params } = input;
  const config = providerConfig(env, provider);
  if (!config) throw new ApiError("RES001", "No such sign-in provider");
  const state = params.get("state") ?? "";
  const flow = await consumeFlow(env.DB, provider, state, new Date());
  if (!flow) {
    throw new ApiError("AUTH001", "This sign-in link is unknown, expired or already used; start again", {
      details: { reason: "unknown_state" },
    });
  }
  const verified = await finishAuthorization(
    env,
    config,
    { state, nonce: flow.nonce, codeVerifier: flow.codeVerifier, redirectUri: flow.redirectUri },
    params,
  );
  const assertion = assertedEmail(provider, verified.claims);
  const owner = await findIdentityBySubject(env.DB, provider, verified.issuer, verified.subject);
  const now = new Date();
  const origin = requestOrigin(c);
  const label = PROVIDER_DEFAULTS[provider].label;
  /** The new identity row for `userId` and its audit row (`how`: the user asked, or their verified email matched). */
  const linkIdentity = (userId: string, how: "explicit" | "verified_email") => {
    const { id, statement } = insertIdentityStatement(
      env.DB,
      { userId, provider, ...identityFields(verified, assertion) },
      now,
    );
    const audit = auditInsert(
      env,
      {
        action: "auth.identity.linked",
        actorId: userId,
        ...origin,
        resourceType: "user",
        resourceId: userId,
        data: { provider, identityId: id, how },
      },
      now,
    );
    return { id, statements: [statement, audit] as const };
  };

  if (flow.linkUserId) {
    const user = await findUserById(env.DB, flow.linkUserId);
    if (!user || user.deletedAt !== null) throw new ApiError("AUTH001", "The account that started this link is gone");
    if (user.suspended) throw new ApiError("AUTH003", "This account is suspended");
    if (owner && owner.userId !== user.id)
      throw new ApiError("RES002", `This ${label} account is linked to another Escra account`);
    if (owner) return { kind: "linked", identity: identityView(owner), returnTo: flow.returnTo };
    if ((await listIdentities(env.DB, user.id)).some((i) => i.provider === provider)) {
      throw new ApiError("RES002", `A ${label} account is already linked; unlink it first`);
    }
    const { id, statements } = linkIdentity(user.id, "explicit");
    try {
      await db(env.DB).batch(statements);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError("RES002", `This ${label} account is already linked`);
      throw error;
    }
    const linked = (await listIdentities(env.DB, user.id)).find((i) => i.id === id)!;
    return { kind: "linked", identity: identityView(linked), returnTo: flow.returnTo };
  }

  const ownerUser = owner ? await liveUser(env.DB, owner.userId) : null;
  const holder = assertion.email ? await findUserByEmail(env.DB, assertion.email) : null;
  const liveHolder = holder && holder.deletedAt === null ? holder : null;
  const decision = decideSignIn({
    identityOwner: ownerUser,
    emailHolder: liveHolder ? { id: liveHolder.id, emailVerified: liveHolder.emailVerifiedAt !== null } : null,
    assertion,
  });

  let user: UserRow;
  let created = false;
  const extra: BatchItem<"sqlite">[] = [];
  switch (decision.kind) {
    case "refuse": {
      await db(env.DB).batch([
        auditInsert(
          env,
          {
            action: "auth.login.failed",
            actorId: liveHolder?.id ?? null,
            ...origin,
            resourceType: liveHolder ? "user" : null,
            resourceId: liveHolder?.id ?? null,
            data: { reason: decision.reason, provider },
          },
          now,
        ),
      ]);
      throw new ApiError(
        "AUTH006",
        decision.reason === "no_email"
          ? `${label} did not share an email address; allow it, or sign up with a password`
          : `${label} does not vouch for this email address: log in with your password, then link ${label} from your account`,
        { details: { reason: decision.reason } },
      );
    }
    case "sign_in":
      user = ownerUser as UserRow;
      extra.push(touchIdentityStatement(env.DB, owner!.id, assertion.email, assertion.verified, now));
      break;
    case "link": {
      user = liveHolder!;
      extra.push(...linkIdentity(user.id, "verified_email").statements);
      break;
    }
    case "create":
      user = await createAccount(c, provider, verified, assertion, decision.replaceUnverified ? liveHolder : null, now);
      created = true;
      break;
  }
  return { ...(await finishSignIn(c, user, provider, extra, now)), created, returnTo: flow.returnTo };
}

function identityFields(
  verified: { issuer: string; subject: string },
  assertion: { email: string | null; verified: boolean },
) {
  return {
    issuer: verified.issuer,
    subject: verified.subject,
    email: assertion.email,
    emailVerified: assertion.verified,
  };
}

async function liveUser(d1: D1Database, id: string): Promise<UserRow | null> {
  const user = await findUserById(d1, id);
  return user && user.deletedAt === null ? user : null;
}

/** personNameField's `.max`: a provider's name is cut to what a typed one may be. */
const NAME_MAX_LENGTH = 200;

/** A new account from the provider's claims: no password, the email verified only if the provider vouched for it. */
async function createAccount(
  c: Context<AppEnv>,
  provider: OidcProvider,
  verified: { issuer: string; subject: string; claims: Record<string, unknown> },
  assertion: { email: string | null; verified: boolean },
  unverifiedHolder: UserRow | null,
  now: Date,
): Promise<UserRow> {
  const env = c.env;
  const origin = requestOrigin(c);
  const at = now.toISOString();
  const email = assertion.email!;
  const claimedName = [
    verified.claims.name,
    [verified.claims.given_name, verified.claims.family_name].filter((p) => typeof p === "string").join(" "),
  ]
    .map((n) => (typeof n === "string" ? drawableLine(n, NAME_MAX_LENGTH) : ""))
    .find((n) => n.length > 0);
  // The provider's name is the person's name in documents and email: the same rules as a typed one (personNameField).
  const name = claimedName ?? (drawableLine(email.split("@")[0]!, NAME_MAX_LENGTH) || "Escra user");
  const userId = newId("usr");
  const retire = unverifiedHolder ? await retireUnverifiedStatements(db(env.DB), unverifiedHolder, at) : null;
  const becomesAdmin = assertion.verified && isAdminEmail(env.ADMIN_EMAILS, email);
  const identity = insertIdentityStatement(env.DB, { userId, provider, ...identityFields(verified, assertion) }, now);
  const statements: BatchItem<"sqlite">[] = [
    ...(retire ? [retire.claim, ...retire.rest] : []),
    insertUser(
      env.DB,
      {
        id: userId,
        email,
        name,
        passwordHash: NO_PASSWORD_HASH,
        role: "user",
        accountType: "personal",
        company: null,
        industry: null,
      },
      now,
    ),
    ...(assertion.verified ? [markEmailVerified(env.DB, userId, now)] : []),
    ...(becomesAdmin ? [grantConfiguredAdmin(env.DB, userId, now)] : []),
    identity.statement,
    auditInsert(
      env,
      {
        action: "auth.registered",
        actorId: userId,
        ...origin,
        resourceType: "user",
        resourceId: userId,
        data: {
          role: becomesAdmin ? "admin" : "user",
          accountType: "personal",
          provider,
          emailVerified: assertion.verified,
          ...(unverifiedHolder ? { replacedUnverified: unverifiedHolder.id } : {}),
        },
      },
      now,
    ),
    ...(unverifiedHolder
      ? [
          auditInsert(
            env,
            {
              action: "auth.unverified_account.replaced",
              actorId: null,
              ...origin,
              resourceType: "user",
              resourceId: unverifiedHolder.id,
              data: { by: userId },
            },
            now,
          ),
        ]
      : []),
  ];
  try {
    await db(env.DB).batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (error) {
    // Someone registered or verified the address, or linked this identity, while we created: start again.
    if (isUniqueViolation(error))
      throw new ApiError("RES002", "An account for this email was created meanwhile; sign in again");
    throw error;
  }
  if (unverifiedHolder) await endLiveSessions(env, unverifiedHolder.id, { why: "account_closed" });
  return (await findUserById(env.DB, userId))!;
}

/** The second half every sign-in shares with password login: suspension, the MFA gate, then the session. */
async function finishSignIn(
  c: Context<AppEnv>,
  user: UserRow,
  provider: OidcProvider,
  extra: BatchItem<"sqlite">[],
  now: Date,
): Promise<{ kind: "session"; pair: Awaited<ReturnType<typeof tokenPair>> }> {
  const env = c.env;
  if (user.suspended) {
    await db(env.DB).batch([
      auditInsert(
        env,
        {
          action: "auth.login.failed",
          actorId: user.id,
          ...requestOrigin(c),
          resourceType: "user",
          resourceId: user.id,
          data: { reason: "suspended", provider },
        },
        now,
      ),
    ]);
    throw new ApiError("AUTH003", "This account is suspended");
  }
  if (user.mfaEnabled) {
    // The provider proved the first factor; the session waits for the second (POST /auth/oauth/mfa).
    const challenge = randomToken(43);
    const { expiresAt, statement } = newChallengeStatement(
      env.DB,
      { challenge, userId: user.id, method: `oidc:${provider}` },
      now,
    );
    await db(env.DB).batch([statement, ...extra]);
    throw new ApiError("AUTH005", "A one-time code from your authenticator app is required", {
      details: { mfaRequired: true, challenge, expiresAt },
    });
  }
  const pair = await startSession(c.env, requestOrigin(c), user, { method: `oidc:${provider}`, mfa: null }, now, extra);
  return { kind: "session", pair };
}

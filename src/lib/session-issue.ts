// Starting a session after a successful login: session + first refresh token + audit in one batch, then the
// signed access token. Also the token-pair response every login/refresh returns.
import type { Bindings } from "../env";
import { auditInsert } from "./audit";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "./jwt";
import type { BatchItem } from "drizzle-orm/batch";
import { db } from "../db/client";
import { newSessionStatements } from "../db/sessions";
import { userView, type UserRow } from "../db/users";

/**
 * The login/refresh response. `issuedAt` (default now) fixes the access token's `iat`: Ed25519 signatures are
 * deterministic, so a refresh answered twice within its grace window (same issuedAt) returns the very same token.
 * `expiresIn` counts from now, in seconds.
 */
export async function tokenPair(
  c: { env: Bindings },
  user: UserRow,
  sessionId: string,
  refreshToken: string,
  issuedAt: Date = new Date(),
) {
  const accessToken = await signAccessToken(c.env, { sub: user.id, sid: sessionId, role: user.role }, issuedAt);
  const age = Math.max(0, Math.floor((Date.now() - issuedAt.getTime()) / 1000));
  return {
    accessToken,
    refreshToken,
    tokenType: "Bearer" as const,
    expiresIn: Math.max(1, ACCESS_TOKEN_TTL_SECONDS - age),
    user: userView(user),
  };
}

/** Creates the session and records `auth.login.succeeded` atomically; extra statements join the same batch. */
export async function startSession(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  user: UserRow,
  details: Record<string, unknown>,
  now: Date,
  extra: BatchItem<"sqlite">[] = [],
) {
  const { sessionId, refreshToken, statements } = newSessionStatements(env.DB, { userId: user.id, ...origin }, now);
  const audit = auditInsert(
    env,
    {
      action: "auth.login.succeeded",
      actorId: user.id,
      ...origin,
      resourceType: "session",
      resourceId: sessionId,
      data: details,
    },
    now,
  );
  await db(env.DB).batch([...statements, audit, ...extra]);
  return tokenPair({ env }, user, sessionId, refreshToken);
}

// Registering an account: the user row, its first verification code and the audit entry in one batch. An address
// held only by an unverified account is registered again by retiring that account in the same batch (API.md):
// typing an address proves nothing, so a squatter must never lock the mailbox's owner out.
import type { BatchItem } from "drizzle-orm/batch";
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { newId } from "../../lib/ids";
import { randomBytes } from "../../lib/crypto";
import { hashPassword } from "../../lib/passwords";
import { hashCode } from "../../lib/identity-secrets";
import { sendEmail } from "../../lib/email";
import { endLiveSessions } from "../../lib/live-sessions";
import { log } from "../../lib/request-context";
import { db } from "../../db/client";
import { findUserByEmail, findUserById, insertUser, isUniqueViolation, type UserRow } from "../../db/users";
import { newVerificationStatements } from "../../db/email-verifications";
import { retireUnverifiedStatements } from "../../db/user-data";
import { VERIFICATION_CODE_TTL_MINUTES, normaliseEmail, sixDigitCode } from "../../domain/identity-policy";
import type { AccountType } from "../../db/schema/identity";

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  accountType: AccountType;
  company?: string;
  industry?: string;
}

/**
 * Creates an unverified account and emails its 6-digit code.
 * @param origin the request's ip and user agent, for the audit trail
 * @returns the new user row
 * @throws ApiError RES002 when a verified account holds the address (or one verified it while we registered)
 */
export async function registerAccount(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  input: RegisterInput,
): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const now = new Date();
  const at = now.toISOString();
  const taken = () => new ApiError("RES002", "An account with this email already exists");
  const holder = await findUserByEmail(env.DB, email);
  if (holder && holder.emailVerifiedAt !== null) throw taken();
  const retire = holder ? await retireUnverifiedStatements(db(env.DB), holder, at) : null;

  const user = {
    id: newId("usr"),
    email,
    name: input.name,
    passwordHash: hashPassword(input.password),
    // ADMIN_EMAILS become admin when the address is verified, not before: otherwise anyone could register
    // someone else's admin address and act as admin without ever reading its mail.
    role: "user" as const,
    accountType: input.accountType,
    company: input.company ?? null,
    industry: input.industry ?? null,
  };
  const code = sixDigitCode(randomBytes);
  try {
    // The retirement goes first, so the address is free for the insert; if the old account verified meanwhile,
    // its guarded update changes nothing, the insert fails on the unique address and the whole batch rolls back.
    const retirement: BatchItem<"sqlite">[] = retire ? [retire.claim, ...retire.rest] : [];
    const statements: BatchItem<"sqlite">[] = [
      ...retirement,
      insertUser(env.DB, user, now),
      ...newVerificationStatements(env.DB, user.id, hashCode(env, "verify-email", user.id, code), now),
      auditInsert(
        env,
        {
          action: "auth.registered",
          actorId: user.id,
          ...origin,
          resourceType: "user",
          resourceId: user.id,
          data: {
            role: user.role,
            accountType: user.accountType,
            ...(holder ? { replacedUnverified: holder.id } : {}),
          },
        },
        now,
      ),
      ...(holder
        ? [
            auditInsert(
              env,
              {
                action: "auth.unverified_account.replaced",
                actorId: null,
                ...origin,
                resourceType: "user",
                resourceId: holder.id,
                data: { by: user.id },
              },
              now,
            ),
          ]
        : []),
    ];
    await db(env.DB).batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
  if (holder) await endLiveSessions(env, holder.id, { why: "account_closed" });
  await emailVerificationCode(env, user, code);
  return (await findUserById(env.DB, user.id))!;
}

/** Queues the verification email; a queue hiccup must not fail a registration that is already stored. */
export async function emailVerificationCode(env: Bindings, user: Pick<UserRow, "id" | "email" | "name">, code: string) {
  try {
    await sendEmail(env, {
      to: user.email,
      template: "verify-email",
      data: { name: user.name, code, expiresInMinutes: VERIFICATION_CODE_TTL_MINUTES },
      userId: user.id,
    });
  } catch (error) {
    log("error", "verification email not queued", { userId: user.id, error: String(error) });
  }
}

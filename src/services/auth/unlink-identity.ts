// Unlinking a provider from the caller's account, only while another way to sign in remains (a password or another
// identity), so nobody locks themselves out.
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { auditInsert } from "../../lib/audit";
import { db } from "../../db/client";
import { deleteIdentityStatement, listIdentities } from "../../db/oidc";
import { findUserById, hasPassword } from "../../db/users";
import { mayUnlink } from "../../domain/oidc";

/**
 * @throws ApiError RES001 when the identity is not the caller's; RES002 when it is their last way to sign in
 */
export async function unlinkIdentity(
  env: Bindings,
  origin: { ip: string | null; userAgent: string | null },
  userId: string,
  identityId: string,
): Promise<void> {
  const [user, identities] = await Promise.all([findUserById(env.DB, userId), listIdentities(env.DB, userId)]);
  const identity = identities.find((i) => i.id === identityId);
  if (!user || !identity) throw new ApiError("RES001", "Identity not found");
  if (!mayUnlink({ hasPassword: hasPassword(user), identityCount: identities.length })) throw lastMethod();
  const now = new Date();
  const [deleted] = await db(env.DB).batch([deleteIdentityStatement(env.DB, userId, identityId)]);
  if (deleted.length === 0) throw lastMethod();
  await auditInsert(
    env,
    {
      action: "auth.identity.unlinked",
      actorId: userId,
      ...origin,
      resourceType: "user",
      resourceId: userId,
      data: { provider: identity.provider, identityId },
    },
    now,
  );
}

const lastMethod = () =>
  new ApiError(
    "RES002",
    "This is your only way to sign in: set a password (password reset) or link another provider first",
    {
      details: { reason: "last_sign_in_method" },
    },
  );

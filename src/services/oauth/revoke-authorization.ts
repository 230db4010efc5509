// Revoking an authorization (DELETE /oauth/authorizations/{id}): its access and refresh tokens stop working on the
// next request, since every OAuth bearer is checked against its authorization in D1. Idempotent.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { authorizationView, findOwnAuthorization, revokeGrantStatement } from "../../db/oauth";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import type { UserActor } from "../users/live-user";

/**
 * @returns the authorization's view, revoked (as it was, when it already was)
 * @throws RES001 for an authorization that is not the actor's
 */
export async function revokeAuthorization(env: Pick<Bindings, "DB">, actor: UserActor, id: string) {
  const database = db(env.DB);
  const found = await findOwnAuthorization(database, actor.userId, id);
  if (!found) throw fail.notFound("Authorization");
  if (found.grant.revokedAt) return authorizationView(found);
  const now = new Date();
  await database.batch([
    revokeGrantStatement(database, id, "user_revoked", now.toISOString()),
    auditInsert(
      env,
      {
        action: "oauth.authorization_revoked",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "oauth_authorization",
        resourceId: id,
        data: { applicationId: found.grant.applicationId },
      },
      now,
    ),
  ]);
  const revoked = { ...found.grant, revokedAt: now.toISOString(), revokedReason: "user_revoked" };
  return authorizationView({ ...found, grant: revoked });
}

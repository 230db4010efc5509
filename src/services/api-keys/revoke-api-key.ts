// Revoking an API key (DELETE /api-keys/{id}): it stops authenticating on the next request. Idempotent: revoking a
// revoked key answers the key as it is, with no second audit entry.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { apiKeyView, revokeStatement } from "../../db/api-keys";
import { auditInsert } from "../../lib/audit";
import type { UserActor } from "../users/live-user";
import { ownApiKey } from "./own-api-key";

/**
 * @returns the key's view, revoked
 * @throws RES001 for a key that is not the actor's
 */
export async function revokeApiKey(env: Pick<Bindings, "DB">, actor: UserActor, id: string) {
  const database = db(env.DB);
  const key = await ownApiKey(database, actor.userId, id);
  const now = new Date();
  if (key.revokedAt) return apiKeyView(key, now);
  const [updated] = await database.batch([
    revokeStatement(database, id, now.toISOString()).returning(),
    auditInsert(
      env,
      {
        action: "api_key.revoked",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "api_key",
        resourceId: id,
        data: { prefix: key.prefix },
      },
      now,
    ),
  ]);
  return apiKeyView(updated[0] ?? { ...key, revokedAt: now.toISOString() }, now);
}

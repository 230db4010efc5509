// Rotating an API key's secret (POST /api-keys/{id}/rotate): a new secret, shown once; the old one stops working
// at once. Only an active key rotates: an expired or revoked one is replaced by creating a new key.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { apiKeyView, keyStatus, mintSecret, rotateStatement } from "../../db/api-keys";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import type { UserActor } from "../users/live-user";
import { ownApiKey } from "./own-api-key";

/**
 * @returns the key's view plus the new `secret` (the only time it is shown)
 * @throws RES001 for a key that is not the actor's; RES002 for one that is expired or revoked (also by a revoke
 *   that lands between our read and the write)
 */
export async function rotateApiKey(env: Pick<Bindings, "DB">, actor: UserActor, id: string) {
  const database = db(env.DB);
  const key = await ownApiKey(database, actor.userId, id);
  const now = new Date();
  const status = keyStatus(key, now);
  if (status !== "active") throw fail.conflict(`This API key is ${status}; create a new one`, { status });
  const { secret, prefix, secretHash } = mintSecret();
  const [updated] = await database.batch([
    rotateStatement(database, id, secretHash, prefix).returning(),
    auditInsert(
      env,
      {
        action: "api_key.rotated",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "api_key",
        resourceId: id,
        data: { oldPrefix: key.prefix, newPrefix: prefix },
      },
      now,
    ),
  ]);
  // A revoke between our read and the batch leaves nothing updated: report it rather than a dead secret.
  if (updated.length === 0) throw fail.conflict("This API key is revoked; create a new one", { status: "revoked" });
  return { ...apiKeyView(updated[0]!, now), secret };
}

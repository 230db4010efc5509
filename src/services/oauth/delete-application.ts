// Deleting a partner application (DELETE /oauth/applications/{id}): every authorization it holds is revoked in the
// same batch, so its tokens stop working on the next request.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { deleteApplicationStatements } from "../../db/oauth";
import { auditInsert } from "../../lib/audit";
import type { UserActor } from "../users/live-user";
import { ownApplication } from "./own-application";

/** @throws RES001 for an application that is not the actor's */
export async function deleteApplication(env: Pick<Bindings, "DB">, actor: UserActor, id: string): Promise<void> {
  const database = db(env.DB);
  await ownApplication(database, actor.userId, id);
  const now = new Date();
  await database.batch([
    ...deleteApplicationStatements(database, id, now.toISOString()),
    auditInsert(
      env,
      {
        action: "oauth_application.deleted",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "oauth_application",
        resourceId: id,
      },
      now,
    ),
  ]);
}

// Deleting a webhook endpoint with its deliveries and attempts, and the audit entry, in one D1 batch.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { deleteEndpointStatements } from "../../db/webhooks";
import { auditInsert } from "../../lib/audit";
import type { UserActor } from "../users/live-user";
import { ownEndpoint } from "./own-endpoint";

/** @throws RES001 for an endpoint that is not the actor's */
export async function deleteEndpoint(env: Bindings, actor: UserActor, id: string): Promise<void> {
  const database = db(env.DB);
  const endpoint = await ownEndpoint(database, actor.userId, id);
  await database.batch([
    ...deleteEndpointStatements(database, endpoint.id),
    auditInsert(env, {
      action: "webhook_endpoint.deleted",
      actorId: actor.userId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      resourceType: "webhook_endpoint",
      resourceId: endpoint.id,
      data: { url: endpoint.url },
    }),
  ]);
}

// Rotating an endpoint's signing secret: the new one signs from now, the old one also signs for
// ROTATION_OVERLAP_MS so partners can switch without missing a delivery.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { endpointView, ROTATION_OVERLAP_MS, sealSecret, updateEndpointStatement } from "../../db/webhooks";
import { generateWebhookSecret } from "../../domain/webhook-signature";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import type { UserActor } from "../users/live-user";
import { ownEndpoint } from "./own-endpoint";

/**
 * @returns the endpoint's view and the new secret (shown only now)
 * @throws RES001 for an endpoint that is not the actor's (or went meanwhile)
 */
export async function rotateEndpointSecret(env: Bindings, actor: UserActor, id: string) {
  const database = db(env.DB);
  const endpoint = await ownEndpoint(database, actor.userId, id);
  const now = new Date();
  const secret = generateWebhookSecret();
  const [updated] = await database.batch([
    updateEndpointStatement(database, endpoint.id, {
      secretSealed: sealSecret(env, endpoint.id, secret),
      previousSecretSealed: endpoint.secretSealed,
      previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
      updatedAt: now.toISOString(),
    }),
    auditInsert(
      env,
      {
        action: "webhook_endpoint.secret_rotated",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "webhook_endpoint",
        resourceId: endpoint.id,
      },
      now,
    ),
  ]);
  if (!updated[0]) throw fail.notFound("Webhook endpoint");
  return { ...endpointView(updated[0]), secret };
}

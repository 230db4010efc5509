// Changing a webhook endpoint: URL, events, description, or status (disabling records why; enabling clears the
// failure count), with its audit entry in one D1 batch.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { endpointView, updateEndpointStatement } from "../../db/webhooks";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import type { PatchEndpointInput } from "../../schemas/webhooks";
import type { UserActor } from "../users/live-user";
import { assertSafeUrl, ownEndpoint } from "./own-endpoint";

/**
 * @returns the endpoint's view as it now is
 * @throws RES001 for an endpoint that is not the actor's (or went meanwhile); VAL001 for an unsafe URL
 */
export async function updateEndpoint(env: Bindings, actor: UserActor, id: string, input: PatchEndpointInput) {
  const database = db(env.DB);
  const endpoint = await ownEndpoint(database, actor.userId, id);
  if (input.url !== undefined) assertSafeUrl(env, input.url);
  const now = new Date();
  const enabling = input.status === "enabled" && endpoint.status !== "enabled";
  const [updated] = await database.batch([
    updateEndpointStatement(database, endpoint.id, {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.events !== undefined ? { events: JSON.stringify(input.events) } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.status === "disabled" && endpoint.status !== "disabled"
        ? { status: "disabled" as const, disabledReason: "Disabled by its owner", disabledAt: now.toISOString() }
        : {}),
      ...(enabling
        ? {
            status: "enabled" as const,
            disabledReason: null,
            disabledAt: null,
            failingSince: null,
            consecutiveFailures: 0,
          }
        : {}),
      updatedAt: now.toISOString(),
    }),
    auditInsert(
      env,
      {
        action: "webhook_endpoint.updated",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "webhook_endpoint",
        resourceId: endpoint.id,
        data: { changed: Object.keys(input) },
      },
      now,
    ),
  ]);
  if (!updated[0]) throw fail.notFound("Webhook endpoint");
  return endpointView(updated[0]);
}

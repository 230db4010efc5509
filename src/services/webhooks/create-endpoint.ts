// Creating a partner webhook endpoint: a safe URL, a fresh sealed `whsec_` secret, and the per-user cap enforced in
// the insert itself (with its audit entry).
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { endpointView, insertEndpointWithinCap, newEndpointRow } from "../../db/webhooks";
import { auditRow } from "../../lib/audit";
import { fail } from "../../lib/errors";
import type { CreateEndpointInput } from "../../schemas/webhooks";
import type { UserActor } from "../users/live-user";
import { assertSafeUrl } from "./own-endpoint";

/** Endpoints a user may hold; plenty for integrations, bounded so one account cannot multiply fan-out. */
export const MAX_ENDPOINTS = 20;

/**
 * @returns the endpoint's view and its secret (shown only now)
 * @throws VAL001 for an unsafe URL; RES002 past MAX_ENDPOINTS
 */
export async function createEndpoint(env: Bindings, actor: UserActor, input: CreateEndpointInput) {
  assertSafeUrl(env, input.url);
  const now = new Date();
  const { row, secret } = newEndpointRow(
    env,
    { userId: actor.userId, url: input.url, events: input.events, description: input.description },
    now.toISOString(),
  );
  const audit = auditRow(
    {
      action: "webhook_endpoint.created",
      actorId: actor.userId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      resourceType: "webhook_endpoint",
      resourceId: row.id,
      data: { url: row.url, events: input.events },
    },
    now,
  );
  if (!(await insertEndpointWithinCap(db(env.DB), row, audit, MAX_ENDPOINTS))) {
    throw fail.conflict(`At most ${MAX_ENDPOINTS} webhook endpoints; delete one first`);
  }
  return { ...endpointView(row), secret };
}

// Puts a feed-only event (a report's or a data export's progress) on one user's personal live feed, validated
// against the event catalog. The feed ignores an id it already holds, so a retried job never shows an event twice.
import type { Bindings } from "../env";
import { validateEventData, type EventType } from "../domain/events";

/**
 * @param id the event's dedupe key, stable per occurrence (e.g. `rpt_…:ready`)
 * @throws Error when `data` does not match the catalog's schema for `type` (a programming error)
 */
export async function notifyFeed(
  env: Bindings,
  userId: string,
  type: EventType,
  id: string,
  data: Record<string, unknown>,
): Promise<void> {
  const valid = validateEventData(type, data);
  if (!valid.success) throw new Error(`invalid ${type} data: ${JSON.stringify(valid.issues)}`);
  await env.USER_FEED.get(env.USER_FEED.idFromName(userId)).deliver({
    id,
    type,
    data: valid.data,
    occurredAt: new Date().toISOString(),
  });
}

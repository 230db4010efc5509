// EVENTS consumer: every domain event goes to the personal live feed (UserFeed) of each user in its audience.
// A feed appends an event once per event id, so a redelivery after a partial failure duplicates nothing.
import type { Bindings } from "../env";
import type { DomainEvent } from "../domain/events";
import { hasPrefix } from "../lib/ids";
import { log } from "../lib/request-context";
import type { EventConsumer } from "./types";

/** Feeds called at once; bounds the fan-out of one event with a large audience. */
const CONCURRENCY = 50;

export const deliverToFeedsConsumer: EventConsumer = {
  name: "user-feeds",
  async consume(event, env) {
    const recipients = event.audience.filter((id) => hasPrefix(id, "usr"));
    if (recipients.length < event.audience.length) {
      // A producer bug: say so, but don't hold back the feeds of the valid recipients.
      log("error", "event audience holds non-user ids", { eventId: event.id, type: event.type });
    }
    const failed: unknown[] = [];
    for (let i = 0; i < recipients.length; i += CONCURRENCY) {
      const results = await Promise.allSettled(
        recipients.slice(i, i + CONCURRENCY).map((userId) => deliverTo(env, userId, event)),
      );
      for (const r of results) if (r.status === "rejected") failed.push(r.reason);
    }
    // Retrying the whole event is safe: feeds that already have it answer `duplicate`.
    if (failed.length > 0) throw failed[0];
  },
};

function deliverTo(env: Bindings, userId: string, event: DomainEvent) {
  const feed = env.USER_FEED.get(env.USER_FEED.idFromName(userId));
  return feed.deliver({ id: event.id, type: event.type, data: event.data, occurredAt: event.occurredAt });
}

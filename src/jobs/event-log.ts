// Event consumer that writes one structured log line per domain event (observability until richer consumers exist).
import { log } from "../lib/request-context";
import type { EventConsumer } from "./types";

export const eventLogConsumer: EventConsumer = {
  name: "log",
  async consume(event) {
    log("info", "domain event", {
      eventId: event.id,
      type: event.type,
      subject: event.subject,
      actorId: event.actorId,
      audience: event.audience.length,
    });
  },
};

// Event consumer that records every domain event in the audit log (audit_logs), so GET /audit/logs shows the
// aggregates' events beside security events. One row per event (unique event_id): a redelivery writes nothing.
// The hash-chained trail stays in the aggregate; exports read it from there (services/audit/export-audit-logs.ts).
import { auditInsert } from "../lib/audit";
import type { EventConsumer } from "./types";

export const auditEventsConsumer: EventConsumer = {
  name: "audit",
  async consume(event, env) {
    await auditInsert(
      env,
      {
        action: event.type,
        actorId: event.actorId,
        resourceType: event.subject.type,
        resourceId: event.subject.id,
        data: event.data as Record<string, unknown>,
        eventId: event.id,
      },
      new Date(event.occurredAt),
    ).onConflictDoNothing();
  },
};

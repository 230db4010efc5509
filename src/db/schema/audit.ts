// The security and admin audit log: who did what, from where, when. Append-only.
import { sql } from "drizzle-orm";
import { sqliteTable, text, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const auditLogs = sqliteTable(
  "audit_logs",
  {
    id: text("id").primaryKey(),
    /** Dotted verb, e.g. `auth.login.failed`, `api_key.created`, `admin.user.suspended`. */
    action: text("action").notNull(),
    /** The user who acted; null for anonymous attempts (e.g. a failed login for an unknown email). */
    actorId: text("actor_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    resourceType: text("resource_type"),
    resourceId: text("resource_id"),
    /** JSON with the event's details (reason, changed fields…); never secrets. */
    data: text("data"),
    createdAt: text("created_at").notNull(),
    /** The correlation id (the HTTP request id) of the action that caused it, when there was one. */
    requestId: text("request_id"),
    /** For rows projected from a domain event (jobs/audit-events.ts): the event's id, unique. */
    eventId: text("event_id"),
  },
  (t) => [
    index("audit_logs_actor_idx").on(t.actorId, t.createdAt),
    index("audit_logs_resource_idx").on(t.resourceType, t.resourceId),
    index("audit_logs_action_idx").on(t.action, t.createdAt),
    uniqueIndex("audit_logs_event_uq").on(t.eventId).where(sql`${t.eventId} IS NOT NULL`),
    index("audit_logs_created_idx").on(t.createdAt, t.id),
    index("audit_logs_resource_time_idx").on(t.resourceType, t.resourceId, t.createdAt),
  ],
);

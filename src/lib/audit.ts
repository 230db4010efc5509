// recordAudit: the one way to write the security/admin audit log (audit_logs), plus the request facts it needs.
import type { Context } from "hono";
import type { AppEnv, Bindings } from "../env";
import { db } from "../db/client";
import { auditLogs } from "../db/schema/audit";
import { newId } from "./ids";
import { currentCorrelationId } from "./correlation";
import { principalOf } from "./auth";
import type { AuditAction } from "../domain/events";

export interface AuditEntry {
  action: AuditAction;
  actorId: string | null;
  ip?: string | null;
  userAgent?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  data?: Record<string, unknown> | null;
  /** The domain event this row projects (jobs/audit-events.ts); unique. */
  eventId?: string | null;
}

/** The audit_logs row of an entry (for guarded inserts that write it only if the change happened). */
export function auditRow(entry: AuditEntry, now = new Date()): typeof auditLogs.$inferInsert {
  return {
    id: newId("aud"),
    action: entry.action,
    actorId: entry.actorId,
    ip: entry.ip ?? null,
    userAgent: entry.userAgent ? entry.userAgent.slice(0, 512) : null,
    resourceType: entry.resourceType ?? null,
    resourceId: entry.resourceId ?? null,
    data: entry.data ? JSON.stringify(entry.data) : null,
    createdAt: now.toISOString(),
    // The request (or the job it started) that did it, so an audit row leads to its log lines.
    requestId: currentCorrelationId() ?? null,
    eventId: entry.eventId ?? null,
  };
}

/** The insert statement, for callers that write the audit row in the same D1 batch as the change it records. */
export function auditInsert(env: Pick<Bindings, "DB">, entry: AuditEntry, now = new Date()) {
  return db(env.DB).insert(auditLogs).values(auditRow(entry, now));
}

export async function recordAudit(env: Pick<Bindings, "DB">, entry: AuditEntry): Promise<void> {
  await auditInsert(env, entry);
}

/** Client IP (Cloudflare sets CF-Connecting-IP at the edge) and user agent of the request. */
export function requestOrigin(c: Context<AppEnv>): { ip: string | null; userAgent: string | null } {
  return { ip: c.req.header("cf-connecting-ip") ?? null, userAgent: c.req.header("user-agent") ?? null };
}

/** The signed-in caller as the actor of a flow: services record who acted and from where in their audit entries. */
export function requestActor(c: Context<AppEnv>): { userId: string; ip: string | null; userAgent: string | null } {
  return { userId: principalOf(c).userId, ...requestOrigin(c) };
}

/** Audit helper for route handlers: fills ip and user agent from the request. */
export function auditFromRequest(c: Context<AppEnv>, entry: Omit<AuditEntry, "ip" | "userAgent">) {
  return recordAudit(c.env, { ...entry, ...requestOrigin(c) });
}

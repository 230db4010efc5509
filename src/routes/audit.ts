// GET /audit/logs and GET /audit/logs/export: the audit log (security events and every aggregate's events).
// Admins see everything; anyone else their own actions and the events of the contracts and escrows they hold.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, answersRaw, bearerRoute, binarySchema, listEnvelope } from "../lib/openapi";
import { principalOf, requireScope } from "../lib/auth";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { instant } from "../lib/time";
import { requestOrigin } from "../lib/audit";
import { contentDisposition } from "../lib/content-disposition";
import { listAuditLogs, type AuditScope } from "../db/audit-logs";
import { auditEntryView, exportAuditLogs } from "../services/audit/export-audit-logs";
import { isAdmin } from "../domain/scopes";
import type { Principal } from "../env";

const filterQuery = z.object({
  startDate: instant({ description: "entries at or after this instant" }).optional(),
  endDate: instant({ description: "entries at or before this instant" }).optional(),
  userId: z
    .string()
    .regex(/^usr_[0-9A-Za-z]+$/)
    .max(64)
    .optional()
    .openapi({ description: "who acted" }),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/)
    .max(100)
    .optional()
    .openapi({
      description: "exact action (`auth.login.failed`) or a prefix ending in `.*` (`auth.*`)",
      example: "auth.*",
    }),
  resourceType: z
    .string()
    .regex(/^[a-z_]+$/)
    .max(40)
    .optional()
    .openapi({ example: "contract" }),
  resourceId: z
    .string()
    .regex(/^[a-z]+_[0-9A-Za-z]+$/)
    .max(64)
    .optional()
    .openapi({
      description: "with resourceType=contract, the export also carries that contract's hash-chained trail",
    }),
});

const auditEntrySchema = z
  .object({
    id: z.string(),
    action: z.string(),
    actorId: z.string().nullable(),
    resourceType: z.string().nullable(),
    resourceId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable().openapi({ description: "correlation id of the request that did it" }),
    data: z.unknown(),
    createdAt: z.string(),
  })
  .openapi("AuditEntry");

const listRoute = createRoute({
  ...bearerRoute("Audit", requireScope("audit:read")),
  method: "get",
  path: "/audit/logs",
  summary: "Audit log entries, newest first (admins: all; others: their actions and their contracts' and escrows')",
  request: { query: pageQuery.extend(filterQuery.shape) },
  responses: answers(200, listEnvelope(auditEntrySchema), "a page of entries", "AUTH002", "AUTH003", "AUTH004"),
});

const exportRoute = createRoute({
  ...bearerRoute("Audit", requireScope("audit:read")),
  method: "get",
  path: "/audit/logs/export",
  summary: "Download the audit log as JSON, CSV or PDF (streamed); a contract's export carries its hash chain",
  description:
    "Same filters and visibility as GET /audit/logs, oldest first. With `resourceType=contract&resourceId=ctr_…` the " +
    "JSON carries `contractTrail` ({ events: [{ seq, type, actorId, at, data, prevHash, hash }], head }) where " +
    "hash = SHA-256(prevHash + canonicalJson({seq,type,actorId,at,data})) from a genesis of 64 zeros (see README " +
    '"Audit log" and scripts/verify-audit-chain.mjs). PDF holds at most 2,000 entries.',
  request: { query: filterQuery.extend({ format: z.enum(["json", "csv", "pdf"]).default("json") }) },
  responses: answersRaw(
    200,
    {
      description: "the export",
      content: {
        "application/json": { schema: z.object({ entries: z.array(auditEntrySchema), contractTrail: z.unknown() }) },
        "text/csv": { schema: z.string() },
        "application/pdf": { schema: binarySchema },
      },
    },
    "AUTH002",
    "AUTH003",
    "AUTH004",
    "RES001",
  ),
});

const scopeOf = (p: Principal): AuditScope => (isAdmin(p) ? { kind: "all" } : { kind: "user", userId: p.userId });

export const auditRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const { page, perPage, ...filters } = c.req.valid("query");
    const result = await listAuditLogs(c.env.DB, filters, scopeOf(principalOf(c)), pageWindow({ page, perPage }));
    return paginated(c, result.items.map(auditEntryView), { page, perPage }, result.total) as never;
  })
  .openapi(exportRoute, async (c) => {
    const { format, ...filters } = c.req.valid("query");
    const out = await exportAuditLogs(c.env, principalOf(c), { format, filters }, requestOrigin(c));
    return new Response(out.body, {
      headers: {
        "content-type": out.contentType,
        "content-disposition": contentDisposition("attachment", out.filename),
        "cache-control": "no-store",
      },
    }) as never;
  });

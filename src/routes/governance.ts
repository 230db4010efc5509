// Governance: retention policies (admin only). One policy per record kind; the daily cron applies them
// (src/cron/retention.ts) and the dry run shows what they would remove now. Rules: src/domain/retention.ts.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, isoDate, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { principalOf, requireAdmin, requireScope } from "../lib/auth";
import { auditFromRequest } from "../lib/audit";
import { newId } from "../lib/ids";
import { db } from "../db/client";
import { deletePolicy, getPolicy, insertPolicy, listPolicies, policyView, updatePolicy } from "../db/retention";
import {
  MAX_PERIOD_DAYS,
  POLICY_TYPES,
  RECORD_KINDS,
  policyTypeProblem,
  type PolicyType,
  type RecordKind,
} from "../domain/retention";
import { retentionDryRun } from "../services/governance/apply-retention";

const policySchema = z
  .object({
    id: z.string().openapi({ example: "pol_DefaultAuditLogs0001" }),
    recordKind: z.enum(RECORD_KINDS),
    type: z
      .enum(POLICY_TYPES)
      .openapi({ description: "`deletion` deletes due rows; `retention` keeps them and clears their payload" }),
    periodDays: z.number().int().openapi({ description: "age in days after which a record is due" }),
    updatedBy: z.string().nullable().openapi({ description: "admin who last changed it; null for a seeded default" }),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi("RetentionPolicy");

const period = z.number().int().min(1).max(MAX_PERIOD_DAYS);
const createBody = z
  .object({ recordKind: z.enum(RECORD_KINDS), type: z.enum(POLICY_TYPES), periodDays: period })
  .strict();
const updateBody = z.object({ type: z.enum(POLICY_TYPES), periodDays: period }).strict();
const idParam = z.object({ id: z.string().regex(/^pol_[0-9A-Za-z]{20}$/, "expected a pol_ id") });
const read = bearerRoute("Governance", requireScope("admin:read"), requireAdmin());
const write = bearerRoute("Governance", requireScope("admin:write"), requireAdmin());

const outcomeSchema = z
  .object({
    policyId: z.string(),
    recordKind: z.enum(RECORD_KINDS),
    type: z.enum(POLICY_TYPES),
    periodDays: z.number().int(),
    cutoff: isoDate.openapi({ description: "records older than this are due" }),
    count: z.number().int().openapi({ description: "rows the policy would delete or clear now" }),
  })
  .openapi("RetentionDryRun");

const listRoute = createRoute({
  ...read,
  method: "get",
  path: "/governance/policies",
  summary: "Retention policies, one per record kind",
  responses: answers(200, envelope(z.array(policySchema)), "the policies", "AUTH003", "AUTH004"),
});

const createRoute_ = createRoute({
  ...write,
  method: "post",
  path: "/governance/policies",
  summary: "Create the policy of a record kind that has none",
  request: { body: { content: { "application/json": { schema: createBody } }, required: true } },
  responses: answers(201, envelope(policySchema), "created", "VAL001", "AUTH003", "AUTH004", "RES002"),
});

const updateRoute = createRoute({
  ...write,
  method: "put",
  path: "/governance/policies/{id}",
  summary: "Change a policy's type or period",
  request: { params: idParam, body: { content: { "application/json": { schema: updateBody } }, required: true } },
  responses: answers(200, envelope(policySchema), "updated", "VAL001", "AUTH003", "AUTH004", "RES001"),
});

const deleteRoute = createRoute({
  ...write,
  method: "delete",
  path: "/governance/policies/{id}",
  summary: "Remove a policy: its record kind is no longer purged",
  request: { params: idParam },
  responses: answers(200, envelope(deletedSchema), "deleted", "VAL001", "AUTH003", "AUTH004", "RES001"),
});

const dryRunRoute = createRoute({
  // Changes nothing, but a POST under a read scope fails the authorization walk's rule; it is an admin's tool anyway.
  ...write,
  method: "post",
  path: "/governance/policies/dry-run",
  summary: "How many records each policy would delete or clear if the daily run happened now",
  responses: answers(200, envelope(z.array(outcomeSchema)), "counts per policy", "AUTH003", "AUTH004"),
});

function assertType(kind: RecordKind, type: PolicyType) {
  const problem = policyTypeProblem(kind, type);
  if (problem) throw fail.invalid([{ path: "type", message: problem }]);
}

export const governanceRoutes = createRouter()
  .openapi(listRoute, async (c) => ok(c, (await listPolicies(db(c.env.DB))).map(policyView), 200))
  .openapi(dryRunRoute, async (c) => ok(c, await retentionDryRun(c.env, new Date()), 200))
  .openapi(createRoute_, async (c) => {
    const input = c.req.valid("json");
    assertType(input.recordKind, input.type);
    const principal = principalOf(c);
    const at = new Date().toISOString();
    const row = await insertPolicy(db(c.env.DB), {
      id: newId("pol"),
      ...input,
      updatedBy: principal.userId,
      createdAt: at,
      updatedAt: at,
    });
    if (!row)
      throw fail.conflict(`${input.recordKind} already has a policy; change it with PUT`, {
        recordKind: input.recordKind,
      });
    await auditFromRequest(c, {
      action: "retention_policy.created",
      actorId: principal.userId,
      resourceType: "retention_policy",
      resourceId: row.id,
      data: input,
    });
    return ok(c, policyView(row), 201);
  })
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const database = db(c.env.DB);
    const current = await getPolicy(database, id);
    if (!current) throw fail.notFound("Retention policy");
    assertType(current.recordKind as RecordKind, input.type);
    const principal = principalOf(c);
    const row = await updatePolicy(database, id, {
      ...input,
      updatedBy: principal.userId,
      updatedAt: new Date().toISOString(),
    });
    if (!row) throw fail.notFound("Retention policy");
    await auditFromRequest(c, {
      action: "retention_policy.updated",
      actorId: principal.userId,
      resourceType: "retention_policy",
      resourceId: id,
      data: { before: { type: current.type, periodDays: current.periodDays }, after: input },
    });
    return ok(c, policyView(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = principalOf(c);
    if (!(await deletePolicy(db(c.env.DB), id))) throw fail.notFound("Retention policy");
    await auditFromRequest(c, {
      action: "retention_policy.deleted",
      actorId: principal.userId,
      resourceType: "retention_policy",
      resourceId: id,
    });
    return ok(c, { id, deleted: true as const }, 200);
  });

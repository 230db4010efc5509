// /workflows: the caller's approval rules ({ name, when: { type?, minValue? }, approvers }), applied at send.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import {
  deleteWorkflow,
  findWorkflow,
  insertWorkflow,
  listWorkflows,
  replaceWorkflow,
  type WorkflowRow,
} from "../db/workflows";
import { duplicateSignerDetails, normalizeEmail } from "../domain/contract-machine";

const workflowInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    when: z
      .object({ type: z.string().trim().min(1).max(60).optional(), minValue: z.number().int().min(0).optional() })
      .default({}),
    approvers: z
      .array(z.object({ email: z.email().max(254), order: z.number().int().min(1).max(100) }))
      .min(1)
      .max(20),
  })
  .openapi("WorkflowInput");

const workflowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    when: z.object({ type: z.string().optional(), minValue: z.number().int().optional() }),
    approvers: z.array(z.object({ email: z.string(), order: z.number().int() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Workflow");

const idParam = z.object({
  id: z
    .string()
    .regex(/^wfl_[0-9A-Za-z]{20}$/, "expected a wfl_ id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const read = bearerRoute("Workflows", requireScope("contracts:read"));
const write = bearerRoute("Workflows", requireScope("contracts:write"));

const view = (w: WorkflowRow) => ({
  id: w.id,
  name: w.name,
  when: {
    ...(w.whenType !== null ? { type: w.whenType } : {}),
    ...(w.whenMinValue !== null ? { minValue: w.whenMinValue } : {}),
  },
  approvers: w.approvers,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

function columns(input: z.infer<typeof workflowInput>) {
  const duplicates = duplicateSignerDetails(input.approvers, "approvers");
  if (duplicates.length) throw fail.invalid(duplicates);
  return {
    name: input.name,
    whenType: input.when.type ?? null,
    whenMinValue: input.when.minValue ?? null,
    approvers: input.approvers.map((a) => ({ email: normalizeEmail(a.email), order: a.order })),
  };
}

const createWorkflowRoute = createRoute({
  ...write,
  method: "post",
  path: "/workflows",
  summary: "Create an approval rule (applied to your matching contracts when sent; approvers act before signers)",
  request: { body: jsonBody(workflowInput) },
  responses: answers(201, envelope(workflowSchema), "the rule", "AUTH003", "AUTH004"),
});
const listWorkflowRoute = createRoute({
  ...read,
  method: "get",
  path: "/workflows",
  summary: "Your approval rules",
  responses: answers(200, envelope(z.array(workflowSchema)), "the rules", "AUTH004"),
});
const putWorkflowRoute = createRoute({
  ...write,
  method: "put",
  path: "/workflows/{id}",
  summary: "Replace an approval rule",
  request: { params: idParam, body: jsonBody(workflowInput) },
  responses: answers(200, envelope(workflowSchema), "the rule", "AUTH003", "AUTH004", "RES001"),
});
const deleteWorkflowRoute = createRoute({
  ...write,
  method: "delete",
  path: "/workflows/{id}",
  summary: "Delete an approval rule",
  request: { params: idParam },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001"),
});

export const workflowRoutes = createRouter()
  .openapi(createWorkflowRoute, async (c) => {
    const principal = principalOf(c);
    const now = new Date().toISOString();
    const row = {
      id: newId("wfl"),
      ownerId: principal.userId,
      ...columns(c.req.valid("json")),
      createdAt: now,
      updatedAt: now,
    };
    await insertWorkflow(c.env, row);
    return ok(c, view(row), 201);
  })
  .openapi(listWorkflowRoute, async (c) => ok(c, (await listWorkflows(c.env, principalOf(c).userId)).map(view), 200))
  .openapi(putWorkflowRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const values = columns(c.req.valid("json"));
    const existing = await findWorkflow(c.env, principal.userId, id);
    if (!existing) throw fail.notFound("Workflow");
    const row = { ...existing, ...values, updatedAt: new Date().toISOString() };
    await replaceWorkflow(c.env, row);
    return ok(c, view(row), 200);
  })
  .openapi(deleteWorkflowRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    if (!(await deleteWorkflow(c.env, principal.userId, id))) throw fail.notFound("Workflow");
    return ok(c, { id, deleted: true as const }, 200);
  });

// Workflow rules in D1: CRUD for their owner and the approvers that apply to a contract at send.
import { and, desc, eq } from "drizzle-orm";
import type { Bindings } from "../env";
import { db } from "./client";
import { workflows } from "./schema/workflows";
import { workflowApprovers, type WorkflowRule } from "../domain/workflows";

export type WorkflowRow = typeof workflows.$inferSelect;

export async function insertWorkflow(env: Bindings, row: WorkflowRow): Promise<void> {
  await db(env.DB).insert(workflows).values(row);
}

/** Replaces the owner's rule `row.id` with `row` (the caller has checked it exists). */
export async function replaceWorkflow(env: Bindings, row: WorkflowRow): Promise<void> {
  await db(env.DB)
    .update(workflows)
    .set(row)
    .where(and(eq(workflows.id, row.id), eq(workflows.ownerId, row.ownerId)));
}

/** Deletes the owner's rule; false when the owner has no rule with that id. */
export async function deleteWorkflow(env: Bindings, ownerId: string, id: string): Promise<boolean> {
  const res = await db(env.DB)
    .delete(workflows)
    .where(and(eq(workflows.id, id), eq(workflows.ownerId, ownerId)))
    .run();
  return res.meta.changes > 0;
}

export function listWorkflows(env: Bindings, ownerId: string): Promise<WorkflowRow[]> {
  return db(env.DB)
    .select()
    .from(workflows)
    .where(eq(workflows.ownerId, ownerId))
    .orderBy(desc(workflows.createdAt))
    .all();
}

export async function findWorkflow(env: Bindings, ownerId: string, id: string): Promise<WorkflowRow | undefined> {
  return db(env.DB)
    .select()
    .from(workflows)
    .where(and(eq(workflows.id, id), eq(workflows.ownerId, ownerId)))
    .get();
}

/** Approvers of the owner's rules matching this contract (type, value). */
export async function matchingWorkflowApprovers(
  env: Bindings,
  contract: { ownerId: string; type: string; value: { amount: number } | null },
) {
  const rules: WorkflowRule[] = await listWorkflows(env, contract.ownerId);
  return workflowApprovers(rules, contract);
}

// Workflow rules in D1: CRUD for their owner and the approvers that apply to a contract at send.
import { and, desc, eq } from "drizzle-orm";
import type { Bindings } from "../env";
import { db } from "./client";
import { workflows } from "./schema/workflows";
import { workflowApprovers, type WorkflowRule } from "../domain/workflows";

export type WorkflowRow = typeof workflows.$inferSelect;

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

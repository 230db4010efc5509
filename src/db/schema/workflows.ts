// Approval workflow rules (records without a state machine): applied at send to the owner's matching contracts.
import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

export interface WorkflowApprover {
  email: string;
  order: number;
}

export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    /** Matches contracts of this type only (null: any type). */
    whenType: text("when_type"),
    /** Matches contracts whose value amount (minor units) is at least this (null: any value). */
    whenMinValue: integer("when_min_value"),
    approvers: text("approvers", { mode: "json" }).$type<WorkflowApprover[]>().notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("workflows_owner_idx").on(t.ownerId)],
);

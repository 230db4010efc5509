// Governance tables: retention policies (one per record kind; the defaults are seeded by migration 0035).
import { sqliteTable, text, integer, uniqueIndex } from "drizzle-orm/sqlite-core";

export const retentionPolicies = sqliteTable(
  "retention_policies",
  {
    id: text("id").primaryKey(),
    /** src/domain/retention.ts RECORD_KINDS */
    recordKind: text("record_kind").notNull(),
    /** `retention` (clear payload) or `deletion` (delete rows) */
    type: text("type").notNull(),
    periodDays: integer("period_days").notNull(),
    /** Null for the seeded defaults. */
    updatedBy: text("updated_by"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("retention_policies_kind_uq").on(t.recordKind)],
);

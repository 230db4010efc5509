// Asynchronous report exports: who asked, for what, how far the queue job got, and where the file is in R2.
// Rows and files expire (REPORT_TTL_HOURS); the cron in src/cron/report-expiry.ts removes both.
import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { REPORT_FORMATS, REPORT_KINDS, REPORT_STATUSES, type ReportFilters } from "../../domain/reports";

export const reports = sqliteTable(
  "reports",
  {
    /** `rpt_…` */
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    /** The team the report is about (its `teamId` filter): that team's owners and admins may read it too. */
    teamId: text("team_id"),
    kind: text("kind", { enum: REPORT_KINDS }).notNull(),
    format: text("format", { enum: REPORT_FORMATS }).notNull(),
    filters: text("filters", { mode: "json" }).$type<ReportFilters>().notNull(),
    status: text("status", { enum: REPORT_STATUSES }).notNull(),
    /** 0–100 */
    progress: integer("progress").notNull().default(0),
    rowCount: integer("row_count"),
    /** bytes of the file */
    size: integer("size"),
    r2Key: text("r2_key"),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    completedAt: text("completed_at"),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [
    index("reports_owner_idx").on(t.ownerId, t.createdAt),
    index("reports_team_idx").on(t.teamId),
    index("reports_expires_idx").on(t.expiresAt),
  ],
);

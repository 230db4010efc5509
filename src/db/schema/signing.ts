// When each pending contract next has a reminder or escalation due (projected by its ContractRoom), so the
// reminders cron asks only the rooms that have something to send.
import { sqliteTable, text, index } from "drizzle-orm/sqlite-core";

export const signingSchedule = sqliteTable(
  "signing_schedule",
  {
    contractId: text("contract_id").primaryKey(),
    nextDueAt: text("next_due_at").notNull(),
  },
  (t) => [index("signing_schedule_due_idx").on(t.nextDueAt)],
);

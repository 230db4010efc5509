// Events spine bookkeeping: which consumer already handled which event, so a redelivered event skips them.
import { sqliteTable, text, primaryKey } from "drizzle-orm/sqlite-core";

export const eventConsumptions = sqliteTable(
  "event_consumptions",
  {
    eventId: text("event_id").notNull(),
    consumer: text("consumer").notNull(),
    completedAt: text("completed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.consumer] })],
);

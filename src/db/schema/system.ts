// Platform tables: dead-lettered queue messages.
import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull().unique(),
    kind: text("kind").notNull(),
    body: text("body").notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: text("received_at").notNull(),
    replayedAt: text("replayed_at"),
  },
  (t) => [index("dead_letters_queue_idx").on(t.queue, t.receivedAt)],
);

// Notification preferences: one row per (user, event type, channel) the user has set; anything unset follows
// the defaults in src/domain/notification-preferences.ts.
import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";
import { NOTIFICATION_CHANNELS } from "../../domain/notification-preferences";

export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: text("user_id").notNull(),
    eventType: text("event_type").notNull(),
    channel: text("channel", { enum: NOTIFICATION_CHANNELS }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.eventType, t.channel] })],
);

// Notifications: one row per (user, event). `inApp` says whether the user sees it in GET /notifications;
// `emailedAt`/`smsAt` mark the other channels done, so a redelivered event never emails twice.
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** JSON: the event's data. */
    data: text("data").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    inApp: integer("in_app", { mode: "boolean" }).notNull(),
    readAt: text("read_at"),
    emailedAt: text("emailed_at"),
    smsAt: text("sms_at"),
    /** When the email was held for the daily digest (the burst threshold was reached); emailedAt once it went. */
    digestAt: text("digest_at"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("notifications_user_event_uq").on(t.userId, t.eventId),
    index("notifications_user_idx").on(t.userId, t.inApp, t.createdAt),
    index("notifications_digest_idx").on(t.digestAt, t.userId),
  ],
);

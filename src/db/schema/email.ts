// Email tables: one delivery row per email sent (status, attempts, failure reason) and the dev mailbox.
import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

export const EMAIL_STATUSES = ["queued", "sent", "failed"] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export const emailDeliveries = sqliteTable(
  "email_deliveries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    /**
     * The user this email acts for (a share, an invitation, a signing request they caused): while they are
     * suspended or erased it is not sent.
     */
    onBehalfOf: text("on_behalf_of"),
    to: text("to").notNull(),
    template: text("template").notNull(),
    /** JSON of the template data; rendering happens in the job so a template fix applies to retries. */
    data: text("data").notNull(),
    subject: text("subject"),
    status: text("status", { enum: EMAIL_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    lastAttemptAt: text("last_attempt_at"),
    /** Set while one job delivery is sending, so a concurrent duplicate delivery of the job waits instead of sending too. */
    lockedUntil: text("locked_until"),
    sentAt: text("sent_at"),
    failedAt: text("failed_at"),
  },
  (t) => [
    index("email_deliveries_to_idx").on(t.to, t.createdAt),
    index("email_deliveries_user_idx").on(t.userId),
    index("email_deliveries_on_behalf_idx").on(t.onBehalfOf, t.status),
    index("email_deliveries_status_idx").on(t.status),
  ],
);

/** Development/test only: what the dev mailer "sent". One row per delivery, so a redelivered job cannot send twice. */
export const devMailbox = sqliteTable(
  "dev_mailbox",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id").notNull().unique(),
    to: text("to").notNull(),
    from: text("from").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    sentAt: text("sent_at").notNull(),
  },
  (t) => [index("dev_mailbox_to_idx").on(t.to, t.sentAt)],
);

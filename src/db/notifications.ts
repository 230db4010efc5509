// Reads and writes of in-app notifications (one row per user and event; see schema/notifications.ts).
import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Database } from "./client";
import { notifications } from "./schema";

export type NotificationRow = typeof notifications.$inferSelect;

export function notificationView(row: NotificationRow) {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    data: JSON.parse(row.data) as Record<string, unknown>,
    subject: { type: row.subjectType, id: row.subjectId },
    read: row.readAt !== null,
    readAt: row.readAt,
    createdAt: row.createdAt,
  };
}

/** Inserts the row unless the user already has one for this event; returns the row either way. */
export async function upsertNotification(database: Database, row: NotificationRow): Promise<NotificationRow> {
  await database.insert(notifications).values(row).onConflictDoNothing();
  const stored = await database
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, row.userId), eq(notifications.eventId, row.eventId)))
    .get();
  if (!stored) throw new Error("notification vanished after insert");
  return stored;
}

export async function markChannelDone(database: Database, id: string, channel: "email" | "sms", at: string) {
  await database
    .update(notifications)
    .set(channel === "email" ? { emailedAt: at } : { smsAt: at })
    .where(eq(notifications.id, id));
}

const visibleTo = (userId: string, unreadOnly: boolean) =>
  and(eq(notifications.userId, userId), eq(notifications.inApp, true), unreadOnly ? isNull(notifications.readAt) : undefined);

export async function listNotifications(database: Database, userId: string, unreadOnly: boolean, limit: number, offset: number) {
  const [rows, total, unread] = await Promise.all([
    database
      .select()
      .from(notifications)
      .where(visibleTo(userId, unreadOnly))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(limit)
      .offset(offset)
      .all(),
    database.select({ n: count() }).from(notifications).where(visibleTo(userId, unreadOnly)).get(),
    database.select({ n: count() }).from(notifications).where(visibleTo(userId, true)).get(),
  ]);
  return { rows, total: total?.n ?? 0, unread: unread?.n ?? 0 };
}

/** Marks one of the user's visible notifications read (keeping the first read time); undefined if not theirs. */
export async function markRead(database: Database, userId: string, id: string, at: string) {
  await database
    .update(notifications)
    .set({ readAt: at })
    .where(and(eq(notifications.id, id), visibleTo(userId, true)));
  return database
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), visibleTo(userId, false)))
    .get();
}

export async function markAllRead(database: Database, userId: string, at: string): Promise<number> {
  const rows = await database
    .update(notifications)
    .set({ readAt: at })
    .where(visibleTo(userId, true))
    .returning({ id: notifications.id });
  return rows.length;
}

// Reads and writes of in-app notifications (one row per user and event; see schema/notifications.ts).
import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "./client";
import { notifications } from "./schema";
import { chunkForStatement } from "./chunks";
import { viewPicker } from "../lib/view";
import { notificationSchema } from "../schemas/notifications";

export type NotificationRow = typeof notifications.$inferSelect;

const notificationFields = viewPicker(notificationSchema);

/** API.md's notification (schemas/notifications.ts notificationSchema). */
export function notificationView(row: NotificationRow) {
  return notificationFields({
    ...row,
    data: JSON.parse(row.data) as Record<string, unknown>,
    subject: { type: row.subjectType, id: row.subjectId },
    read: row.readAt !== null,
  });
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
  and(
    eq(notifications.userId, userId),
    eq(notifications.inApp, true),
    unreadOnly ? isNull(notifications.readAt) : undefined,
  );

export async function listNotifications(
  database: Database,
  userId: string,
  unreadOnly: boolean,
  limit: number,
  offset: number,
) {
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

// ---- email digest (domain/notification-digest.ts) ----

/** Notice emails sent to the user one by one since `since` (ISO): what the burst threshold counts. */
export async function countEmailedSince(database: Database, userId: string, since: string): Promise<number> {
  const row = await database
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), gte(notifications.emailedAt, since), isNull(notifications.digestAt)))
    .get();
  return row?.n ?? 0;
}

/** Holds the row's email for the digest (the email channel stays not done until the digest goes out). */
export async function holdNoticeForDigest(database: Database, id: string, at: string) {
  await database.update(notifications).set({ digestAt: at }).where(eq(notifications.id, id));
}

/** Users with notices waiting for their digest, at most `limit` per call (the next run takes the rest). */
export async function usersAwaitingDigest(database: Database, limit: number): Promise<string[]> {
  // Longest waiting first, so a run that stops at `limit` leaves the most recent for the next one.
  const rows = await database
    .select({ userId: notifications.userId })
    .from(notifications)
    .where(and(isNotNull(notifications.digestAt), isNull(notifications.emailedAt)))
    .groupBy(notifications.userId)
    .orderBy(sql`min(${notifications.digestAt})`)
    .limit(limit)
    .all();
  return rows.map((r) => r.userId);
}

/** The user's held notices, oldest first. */
export async function heldNotices(database: Database, userId: string) {
  return database
    .select({ id: notifications.id, title: notifications.title })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNotNull(notifications.digestAt), isNull(notifications.emailedAt)))
    .orderBy(asc(notifications.createdAt))
    .all();
}

/** Marks the held notices as emailed by the digest sent at `at`. */
export async function markDigested(database: Database, ids: readonly string[], at: string) {
  for (const chunk of chunkForStatement(ids, { fixed: 1 })) {
    await database.update(notifications).set({ emailedAt: at }).where(inArray(notifications.id, chunk));
  }
}

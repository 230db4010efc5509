// Reads and writes a user's notification preferences; `channelEnabled` is what the notifications consumer asks
// before delivering an event on a channel.
import { eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { notificationPreferences } from "./schema/preferences";
import { EVENT_TYPES } from "../domain/events";
import {
  defaultChannels,
  resolvePreferences,
  type NotificationChannel,
  type PreferenceMap,
} from "../domain/notification-preferences";

export async function preferencesOf(database: Database, userId: string): Promise<PreferenceMap> {
  const stored = await database
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId))
    .all();
  return resolvePreferences(EVENT_TYPES, stored);
}

/** Whether `userId` wants `eventType` on `channel` (their stored choice, else the default). */
export async function channelEnabled(
  database: Database,
  userId: string,
  eventType: string,
  channel: NotificationChannel,
): Promise<boolean> {
  const row = await database
    .select({ enabled: notificationPreferences.enabled })
    .from(notificationPreferences)
    .where(
      sql`${notificationPreferences.userId} = ${userId} and ${notificationPreferences.eventType} = ${eventType} and ${notificationPreferences.channel} = ${channel}`,
    )
    .get();
  return row ? row.enabled : defaultChannels(eventType)[channel];
}

/** Upserts of the given (event type, channel) choices, for one D1 batch. */
export function upsertPreferenceStatements(
  database: Database,
  userId: string,
  update: Record<string, Partial<Record<NotificationChannel, boolean>>>,
  now: string,
) {
  return Object.entries(update).flatMap(([eventType, channels]) =>
    Object.entries(channels).map(([channel, enabled]) =>
      database
        .insert(notificationPreferences)
        .values({
          userId,
          eventType,
          channel: channel as NotificationChannel,
          enabled: Boolean(enabled),
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [notificationPreferences.userId, notificationPreferences.eventType, notificationPreferences.channel],
          set: { enabled: Boolean(enabled), updatedAt: now },
        }),
    ),
  );
}

// Notification preferences: per event type and channel, plus the email digest's burst threshold (issue 13.4).
// Event types must come from the catalog, and the SMS channel can be turned on only by a user with a verified
// phone (issue 17.3) — otherwise the choice could never be honoured. Each channel turned on or off is logged as a
// consent given or withdrawn (issue 15.5), in the same batch as the change.
import { fail } from "../../lib/errors";
import { db } from "../../db/client";
import { findUserById } from "../../db/users";
import { users } from "../../db/schema";
import { eq } from "drizzle-orm";
import { digestSettings, type DigestSettings } from "../../domain/notification-digest";
import { preferencesOf, upsertPreferenceStatements } from "../../db/notification-preferences";
import { EVENT_TYPES } from "../../domain/events";
import { smsTurnedOn, unknownEventTypes, type NotificationChannel } from "../../domain/notification-preferences";
import { channelConsentChanges } from "../../domain/consent";
import { channelConsentStatements, type ConsentOrigin } from "../../db/consents";

export type PreferencesUpdate = {
  preferences?: Record<string, Partial<Record<NotificationChannel, boolean>>>;
  digest?: Partial<DigestSettings>;
};

/** The caller's full preferences: every event type's channels (defaults filled in) and the digest settings. */
export async function getNotificationPreferences(env: { DB: D1Database }, actor: { userId: string }) {
  const database = db(env.DB);
  const [preferences, user] = await Promise.all([
    preferencesOf(database, actor.userId),
    findUserById(env.DB, actor.userId),
  ]);
  return { preferences, digest: digestSettings(user ?? { digestThreshold: null, digestWindowMinutes: null }) };
}

/**
 * Stores the given (event type, channel) choices and digest settings; others keep their value. A choice that changes
 * a channel's effective value appends a consent record (given/withdrawn) with `origin`.
 * @returns the full preferences after the change (as getNotificationPreferences)
 * @throws ApiError VAL001 (unknown event type), RES002 (`sms: true` without a verified phone)
 */
export async function setNotificationPreferences(
  env: { DB: D1Database },
  actor: { userId: string },
  input: PreferencesUpdate,
  origin: ConsentOrigin = { ip: null, userAgent: null },
) {
  const { preferences = {}, digest } = input;
  const unknown = unknownEventTypes(EVENT_TYPES, preferences);
  if (unknown.length > 0) {
    throw fail.invalid(unknown.map((t) => ({ path: `preferences.${t}`, message: "unknown event type" })));
  }
  const database = db(env.DB);
  if (smsTurnedOn(preferences)) {
    const user = await findUserById(env.DB, actor.userId);
    if (!user?.phoneVerifiedAt) {
      throw fail.conflict("Verify a phone number (POST /users/me/phone) before turning on SMS notifications", {
        channel: "sms",
      });
    }
  }
  const now = new Date().toISOString();
  const digestUpdate = digest
    ? [
        database
          .update(users)
          .set({
            ...(digest.threshold !== undefined ? { digestThreshold: digest.threshold } : {}),
            ...(digest.windowMinutes !== undefined ? { digestWindowMinutes: digest.windowMinutes } : {}),
          })
          .where(eq(users.id, actor.userId)),
      ]
    : [];
  const changes = channelConsentChanges(await preferencesOf(database, actor.userId), preferences);
  const [first, ...rest] = [
    ...upsertPreferenceStatements(database, actor.userId, preferences, now),
    ...digestUpdate,
    ...channelConsentStatements(database, actor.userId, changes, origin, now),
  ];
  if (first) await database.batch([first, ...rest]);
  return getNotificationPreferences(env, actor);
}

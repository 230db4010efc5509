// Setting notification preferences: event types must come from the catalog, and the SMS channel can be turned
// on only by a user with a verified phone (issue 17.3) — otherwise the choice could never be honoured.
import { fail } from "../../lib/errors";
import { db } from "../../db/client";
import { findUserById } from "../../db/users";
import { preferencesOf, upsertPreferenceStatements } from "../../db/notification-preferences";
import { EVENT_TYPES } from "../../domain/events";
import { smsTurnedOn, unknownEventTypes, type NotificationChannel } from "../../domain/notification-preferences";

export type PreferencesUpdate = { preferences: Record<string, Partial<Record<NotificationChannel, boolean>>> };

/**
 * Stores the given (event type, channel) choices; others keep their value.
 * @returns the full preference map after the change
 * @throws ApiError VAL001 (unknown event type), RES002 (`sms: true` without a verified phone)
 */
export async function setNotificationPreferences(
  env: { DB: D1Database },
  actor: { userId: string },
  input: PreferencesUpdate,
) {
  const { preferences } = input;
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
  const [first, ...rest] = upsertPreferenceStatements(database, actor.userId, preferences, new Date().toISOString());
  if (first) await database.batch([first, ...rest]);
  return { preferences: await preferencesOf(database, actor.userId) };
}

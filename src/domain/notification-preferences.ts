// Per-user notification preferences: which event types reach the user on which channel. Pure defaults + merging;
// the notifications consumer reads them through src/db/notification-preferences.ts before sending.

export const NOTIFICATION_CHANNELS = ["in_app", "email", "sms"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export type ChannelSettings = Record<NotificationChannel, boolean>;
export type PreferenceMap = Record<string, ChannelSettings>;

/** Events worth an email by default: something needs the user's action, or money or a deal changed state. */
const EMAIL_BY_DEFAULT = /^(contract\.(sent|declined|activated|completed|cancelled|expired|reminder_sent)|escrow\.|listing\.(approved|rejected|sold))/;

/**
 * Defaults: every event in-app; email for the important ones (see above), none for noise such as
 * contract.updated, anchoring or webhook tests; SMS off until the user opts in (it costs money and is intrusive).
 */
export function defaultChannels(eventType: string): ChannelSettings {
  return { in_app: true, email: EMAIL_BY_DEFAULT.test(eventType), sms: false };
}

export interface StoredPreference {
  eventType: string;
  channel: NotificationChannel;
  enabled: boolean;
}

/** The full map over `eventTypes`: defaults overlaid with what the user stored (unknown stored types are ignored). */
export function resolvePreferences(eventTypes: readonly string[], stored: readonly StoredPreference[]): PreferenceMap {
  const map: PreferenceMap = {};
  for (const type of eventTypes) map[type] = defaultChannels(type);
  for (const row of stored) {
    const entry = map[row.eventType];
    if (entry) entry[row.channel] = row.enabled;
  }
  return map;
}

/** Event types in `update` that are not in the catalog (a PUT naming one is VAL001). */
export function unknownEventTypes(eventTypes: readonly string[], update: Record<string, unknown>): string[] {
  const known = new Set(eventTypes);
  return Object.keys(update).filter((t) => !known.has(t));
}

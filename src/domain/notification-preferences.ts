// Per-user notification preferences: which event types reach the user on which channel. Pure defaults + merging;
// the notifications consumer reads them through src/db/notification-preferences.ts before sending.
import type { EventType } from "./events";

export const NOTIFICATION_CHANNELS = ["in_app", "email", "sms"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export type ChannelSettings = Record<NotificationChannel, boolean>;
export type PreferenceMap = Record<string, ChannelSettings>;

/** Events worth an email by default: something needs the user's action, or money or a deal changed state. */
// escrow.contract_signed is left out: its parties just received the executed contract's own email.
const EMAIL_BY_DEFAULT =
  /^(contract\.(sent|declined|activated|completed|cancelled|expired|reminder_sent)|escrow\.(?!contract_signed)|listing\.(approved|rejected|sold))/;

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
    // Own properties only: a stored type such as "constructor" must not reach Object.prototype.
    const entry = Object.hasOwn(map, row.eventType) ? map[row.eventType] : undefined;
    if (entry) entry[row.channel] = row.enabled;
  }
  return map;
}

/** Event types in `update` that are not in the catalog (a PUT naming one is VAL001). */
export function unknownEventTypes(eventTypes: readonly string[], update: Record<string, unknown>): string[] {
  const known = new Set(eventTypes);
  return Object.keys(update).filter((t) => !known.has(t));
}

/**
 * A decline or an expiry is two events (contract.declined/expired, then contract.cancelled with the reason): people
 * hear of it once, by the cancellation's email.
 */
const TOLD_BY_THE_CANCELLATION: ReadonlySet<string> = new Set<EventType>(["contract.declined", "contract.expired"]);
/** The contract's room emails its parties their own signing request, reminder and executed copy for these. */
const PARTY_EMAILED_BY_THE_ROOM: ReadonlySet<string> = new Set<EventType>([
  "contract.sent",
  "contract.reminder_sent",
  "contract.activated",
]);

/**
 * One email per person per occurrence: whether the notification email for `eventType` goes to a user who is a
 * party (signer, approver, viewer) of the event's contract (`isParty`) or someone else in its audience (the owner).
 * Applied after the user's preferences; in-app notifications are unaffected.
 */
export function notificationEmailWanted(eventType: string, isParty: boolean): boolean {
  if (TOLD_BY_THE_CANCELLATION.has(eventType)) return false;
  return !(isParty && PARTY_EMAILED_BY_THE_ROOM.has(eventType));
}

/** Whether an update turns SMS on for any event type (that needs a verified phone). */
export function smsTurnedOn(update: Record<string, Partial<ChannelSettings>>): boolean {
  return Object.values(update).some((channels) => channels.sms === true);
}

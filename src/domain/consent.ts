// The consent to electronic records and signatures every party gives before signing: one wording, served by the API
// (the signer view's `party.consent`) to the hosted signing page and integrators' own pages, quoted in the certificate.

/** ESIGN Act (15 U.S.C. § 7001(c)) and eIDAS (Regulation (EU) No 910/2014, art. 25) consent, as every signing page
 * shows it before any signature (the hosted page reads it from the API: party.consent of the signer view). */
export const CONSENT_TEXT =
  "I agree to use electronic records and signatures for this document. I understand that my electronic signature " +
  "is legally binding, just like a handwritten signature, under the US ESIGN Act and the EU eIDAS Regulation, and " +
  "that I may ask the sender for a paper copy or withdraw this consent before signing.";

/**
 * Names the exact wording of CONSENT_TEXT: change it whenever the text changes, so a recorded consent (the version a
 * signer gave) always points at one wording. Format `esign-eidas-<yyyy-mm-dd of the wording>`.
 */
export const CONSENT_VERSION = "esign-eidas-2026-11-30";

/** What a signing page shows before any signature (served to every frontend, the hosted page included). */
export const ELECTRONIC_SIGNATURE_CONSENT = { version: CONSENT_VERSION, text: CONSENT_TEXT } as const;

// ---- consent records (issue 15.5): what was agreed to, in which wording; the log itself is src/db/consents.ts ----

/** Consent kinds: the e-signature consent given at signing; a notification channel opt-in or opt-out. */
export const CONSENT_KINDS = ["esign", "notifications"] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];
export const CONSENT_ACTIONS = ["given", "withdrawn"] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];

/** The notification-preferences wording (per event type and channel: "notify me by …") a choice refers to. */
export const NOTIFICATION_CONSENT_VERSION = "notifications-2026-11";
const NOTIFICATION_CONSENT_TEXT =
  "Notify me about this kind of event on this channel (in the app, by email or by SMS). I can change this at any " +
  "time in my notification preferences.";

/** Every wording ever agreed to, by version: a consent record's `textVersion` always resolves here. */
export const CONSENT_TEXTS: Readonly<Record<string, string>> = {
  [CONSENT_VERSION]: CONSENT_TEXT,
  [NOTIFICATION_CONSENT_VERSION]: NOTIFICATION_CONSENT_TEXT,
};

/** One notification channel choice that changed: turning a channel on is consent given, off is withdrawn. */
export interface ChannelConsentChange {
  eventType: string;
  channel: string;
  action: ConsentAction;
}

/**
 * The consents a preferences update gives or withdraws: only channels whose effective value changes (setting a
 * channel to the value it already has, by default or by choice, records nothing).
 * @param current every event type's channels as they are now (defaults filled in)
 * @param update the requested (event type → channel → on/off) choices
 * @returns the changes, in event type then channel order of `update`
 */
export function channelConsentChanges(
  current: Readonly<Record<string, Readonly<Record<string, boolean>>>>,
  update: Readonly<Record<string, Readonly<Partial<Record<string, boolean>>>>>,
): ChannelConsentChange[] {
  const changes: ChannelConsentChange[] = [];
  for (const [eventType, channels] of Object.entries(update)) {
    for (const [channel, on] of Object.entries(channels)) {
      if (on === undefined || current[eventType]?.[channel] === on) continue;
      changes.push({ eventType, channel, action: on ? "given" : "withdrawn" });
    }
  }
  return changes;
}

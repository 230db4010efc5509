// The email digest rule (issue 13.4): a user who is sent more than a few notices within minutes gets the rest in one
// daily digest instead of a burst. Pure; the notifications consumer and the digest cron apply it.
import { type EmailTemplateData, NOTICE_MAX_LINES } from "./email-templates";

export interface DigestSettings {
  /** Notice emails per window sent one by one; the ones after wait for the digest. 0 turns the digest off. */
  threshold: number;
  /** The window, in minutes. */
  windowMinutes: number;
}

export const DEFAULT_DIGEST: DigestSettings = { threshold: 5, windowMinutes: 10 };
export const DIGEST_LIMITS = { threshold: { min: 0, max: 100 }, windowMinutes: { min: 1, max: 1_440 } } as const;
/** Lines of the digest email around its list: the greeting, the explanation, the "and N more", the settings hint. */
const DIGEST_FRAME_LINES = 4;
/**
 * Notices listed one by one in a digest email; the rest are counted ("and N more"). Bounded by the notice
 * template's line limit, so no number of held notices makes the digest an email the template refuses.
 */
export const DIGEST_LISTED = NOTICE_MAX_LINES - DIGEST_FRAME_LINES;

/** The user's settings with NULL columns falling back to the defaults. */
export function digestSettings(stored: {
  digestThreshold: number | null;
  digestWindowMinutes: number | null;
}): DigestSettings {
  return {
    threshold: stored.digestThreshold ?? DEFAULT_DIGEST.threshold,
    windowMinutes: stored.digestWindowMinutes ?? DEFAULT_DIGEST.windowMinutes,
  };
}

/** Whether the next notice email waits for the digest, given how many were emailed within the window. */
export function reachedDigestThreshold(settings: DigestSettings, emailedInWindow: number): boolean {
  return settings.threshold > 0 && emailedInWindow >= settings.threshold;
}

/** Start of the window that ends at `now` (ISO instants). */
export function windowStart(settings: DigestSettings, now: string): string {
  return new Date(Date.parse(now) - settings.windowMinutes * 60_000).toISOString();
}

/** The digest email (template `notice`) to `name` for the held notices' `titles`, oldest first. */
export function digestEmail(name: string, titles: readonly string[]): EmailTemplateData<"notice"> {
  return {
    subject: `Your Escra digest: ${titles.length} update${titles.length === 1 ? "" : "s"}`,
    heading: "What happened while you were busy",
    lines: [
      `Hi ${name},`,
      "These arrived in a burst, so we collected them here instead of sending each one:",
      ...digestLines(titles),
      "You can change how many emails arrive before a digest in your notification settings.",
    ],
  };
}

/** The digest email's lines: up to DIGEST_LISTED titles, newest last, and how many more there are. */
export function digestLines(titles: readonly string[]): string[] {
  const listed = titles.slice(0, DIGEST_LISTED).map((t) => `• ${t}`);
  const more = titles.length - listed.length;
  return more > 0 ? [...listed, `…and ${more} more in your notifications.`] : listed;
}

// Delivery rules for partner webhooks: which events an endpoint receives, when a failed attempt is retried,
// and when an endpoint that keeps failing is switched off. Pure, so each rule is unit-tested on its own.
import { isAdmin, type GlobalRole } from "./scopes";

/** Delays after attempt 1, 2, … (seconds): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h → 8 attempts over ~28 h. */
export const RETRY_SCHEDULE_SECONDS = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1;
/** Queues cap a message delay at 12 h; a longer Retry-After is clamped to it. */
export const MAX_RETRY_DELAY_SECONDS = 43_200;
/** An endpoint failing every attempt for this long (since its last success) is disabled and its owner emailed. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60 * 1000;
export const TIMEOUT_MS = 15_000;
export const SNIPPET_BYTES = 1024;

export function matchesFilter(filter: readonly string[], eventType: string): boolean {
  return filter.includes("*") || filter.includes(eventType);
}

/**
 * Who may receive an event on their endpoints: a user in the event's audience (the producer lists the parties
 * who may see the resource) or an admin (who may see every resource). Anyone else never learns of it.
 */
export function ownerMaySee(owner: { id: string; role: GlobalRole }, audience: readonly string[]): boolean {
  return isAdmin(owner) || audience.includes(owner.id);
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export type AttemptOutcome =
  | { kind: "succeeded" }
  | { kind: "gone" }
  | { kind: "retry"; delaySeconds: number }
  | { kind: "exhausted" };

/**
 * What follows attempt number `attempt` (1-based) that answered `status` (null: timeout or network error).
 * 2xx succeeds; 410 means the receiver is gone for good; 429/503 honour Retry-After (never sooner than the
 * schedule, at most 12 h); anything else follows the schedule until it runs out.
 */
export function outcomeOf(attempt: number, status: number | null, retryAfterSeconds: number | null): AttemptOutcome {
  if (status !== null && status >= 200 && status < 300) return { kind: "succeeded" };
  if (status === 410) return { kind: "gone" };
  if (attempt >= MAX_ATTEMPTS) return { kind: "exhausted" };
  const scheduled = RETRY_SCHEDULE_SECONDS[attempt - 1]!;
  const honoured =
    (status === 429 || status === 503) && retryAfterSeconds !== null
      ? Math.max(scheduled, retryAfterSeconds)
      : scheduled;
  return { kind: "retry", delaySeconds: Math.min(honoured, MAX_RETRY_DELAY_SECONDS) };
}

export function shouldDisable(failingSince: string | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - Date.parse(failingSince) >= DISABLE_AFTER_FAILING_MS;
}

/** The first `SNIPPET_BYTES` of a response body, cut on a character boundary. */
export function snippet(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= SNIPPET_BYTES) return text;
  return new TextDecoder().decode(bytes.slice(0, SNIPPET_BYTES)).replace(/\uFFFD$/, "");
}

// When a failed queue message is tried again, and which attempt is the last (mirrors wrangler.toml).

/** wrangler.toml: max_retries = 6 for escra-events, escra-jobs and escra-documents → 1 delivery + 6 retries. */
export const MAX_DELIVERY_ATTEMPTS = 7;

/** Queues cap a message delay at 12 hours. */
export const MAX_DELAY_SECONDS = 43_200;

/** Exponential backoff from 10 s (attempt 1) doubling, capped at 12 h. */
export function retryDelaySeconds(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(5 * 2 ** n, MAX_DELAY_SECONDS);
}

export function clampDelay(seconds: number): number {
  return Math.min(Math.max(0, Math.ceil(seconds)), MAX_DELAY_SECONDS);
}

export function isLastAttempt(attempts: number): boolean {
  return attempts >= MAX_DELIVERY_ATTEMPTS;
}

// Identity rules and limits in one place: lifetimes, attempt counts, lockout, admin emails, code formats.
export const VERIFICATION_CODE_TTL_MINUTES = 10;
export const VERIFICATION_CODE_MAX_ATTEMPTS = 5;
/** An SMS code is short-lived: it reaches a phone within seconds, and a shorter life narrows guessing (issue 17.3). */
export const PHONE_CODE_TTL_MINUTES = 5;
export const PASSWORD_RESET_TTL_MINUTES = 30;
export const REFRESH_TOKEN_TTL_DAYS = 30;
export const RECOVERY_CODE_COUNT = 10;
/**
 * A refresh token replaced less than this long ago answers a second presentation with the same successor pair
 * (two tabs, a retried request); after it, a presentation is reuse and revokes the session. The rotation grace
 * period of Auth0 ("reuse interval") and Okta ("grace period for token rotation").
 */
export const REFRESH_REUSE_GRACE_SECONDS = 30;
/** An account whose address is not verified by then is retired (its address free again, nothing bound to it). */
export const UNVERIFIED_ACCOUNT_TTL_DAYS = 7;

/** Consecutive failed logins (wrong password or MFA code) before the email is locked. */
export const LOCKOUT_THRESHOLD = 5;
/** Short enough that an attacker locking a victim out is a nuisance, not a denial of service. */
export const LOCKOUT_MINUTES = 15;

export function addMinutes(now: Date, minutes: number): Date {
  return new Date(now.getTime() + minutes * 60_000);
}

/** Emails compare case-insensitively and without surrounding spaces everywhere. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** ADMIN_EMAILS is a comma-separated list; membership makes a user admin once the address is verified. */
export function isAdminEmail(adminEmails: string | undefined, email: string): boolean {
  return (adminEmails ?? "").split(",").map(normaliseEmail).filter(Boolean).includes(normaliseEmail(email));
}

export interface LockState {
  failures: number;
  lockedUntil: string | null;
}

/** Seconds left on a lock, or 0 when the email may try again. */
export function lockSecondsRemaining(state: LockState | null, now: Date): number {
  if (!state?.lockedUntil) return 0;
  return Math.max(0, Math.ceil((Date.parse(state.lockedUntil) - now.getTime()) / 1000));
}

/** The state after one more failure: the threshold-th consecutive failure locks and restarts the count. */
export function afterFailedLogin(state: LockState | null, now: Date): LockState {
  const expired = state?.lockedUntil && Date.parse(state.lockedUntil) <= now.getTime();
  const failures = (expired ? 0 : (state?.failures ?? 0)) + 1;
  if (failures >= LOCKOUT_THRESHOLD) {
    return { failures: 0, lockedUntil: addMinutes(now, LOCKOUT_MINUTES).toISOString() };
  }
  return { failures, lockedUntil: expired ? null : (state?.lockedUntil ?? null) };
}

/** A uniformly random 6-digit code (rejection sampling: no modulo bias). `random` is injectable for tests. */
export function sixDigitCode(random: (n: number) => Uint8Array): string {
  for (;;) {
    const bytes = random(4);
    const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    // 4_294_000_000 is the largest multiple of 1e6 below 2^32.
    if (value < 4_294_000_000) return String(value % 1_000_000).padStart(6, "0");
  }
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read aloud and typed by hand

/** A recovery code `xxxxx-xxxxx` (31^10 ≈ 2^49.5; stored as a peppered HMAC, single use, rate limited). */
export function recoveryCode(random: (n: number) => Uint8Array): string {
  const chars: string[] = [];
  while (chars.length < 10) {
    for (const b of random(16)) {
      if (b < 248 && chars.length < 10) chars.push(RECOVERY_ALPHABET[b % 31]!);
    }
  }
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

/** What users type varies (case, spaces, dash); the canonical form is what gets hashed. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, "");
}

/** A login `mfaCode` is either a 6-digit TOTP or a recovery code. */
export function looksLikeRecoveryCode(input: string): boolean {
  return /^[a-z0-9]{10}$/.test(normaliseRecoveryCode(input)) && !/^\d+$/.test(normaliseRecoveryCode(input));
}

/**
 * What a presentation of an already-replaced refresh token is: within the grace window after its replacement
 * a concurrent copy (answered with the same successor), after it reuse (the session is revoked).
 * @param replacedAt ISO UTC time the token was rotated
 */
export function replacedTokenVerdict(replacedAt: string, now: Date): "grace" | "reuse" {
  const age = now.getTime() - Date.parse(replacedAt);
  // A replacement stamped slightly in the future (another isolate's clock) is within the window too.
  return age <= REFRESH_REUSE_GRACE_SECONDS * 1000 ? "grace" : "reuse";
}

/** Whether an unverified account created at `createdAt` (ISO UTC) has expired at `now`. */
export function unverifiedAccountExpired(createdAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(createdAt) >= UNVERIFIED_ACCOUNT_TTL_DAYS * 86_400_000;
}

/** The createdAt (ISO UTC) before which unverified accounts have expired at `now`. */
export function unverifiedAccountCutoff(now: Date): string {
  return new Date(now.getTime() - UNVERIFIED_ACCOUNT_TTL_DAYS * 86_400_000).toISOString();
}

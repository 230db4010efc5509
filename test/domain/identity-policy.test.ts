// Identity rules: lockout transitions, code generation (uniform, injectable randomness), admin emails.
import { describe, expect, it } from "vitest";
import {
  LOCKOUT_MINUTES,
  LOCKOUT_THRESHOLD,
  REFRESH_REUSE_GRACE_SECONDS,
  replacedTokenVerdict,
  unverifiedAccountCutoff,
  unverifiedAccountExpired,
  afterFailedLogin,
  isAdminEmail,
  lockSecondsRemaining,
  looksLikeRecoveryCode,
  normaliseRecoveryCode,
  recoveryCode,
  sixDigitCode,
} from "../../src/domain/identity-policy";

const now = new Date("2026-11-22T12:00:00.000Z");

describe("lockout", () => {
  it("locks on the threshold-th consecutive failure for LOCKOUT_MINUTES", () => {
    let state = null as ReturnType<typeof afterFailedLogin> | null;
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      state = afterFailedLogin(state, now);
      expect(state).toEqual({ failures: i, lockedUntil: null });
      expect(lockSecondsRemaining(state, now)).toBe(0);
    }
    state = afterFailedLogin(state, now);
    expect(state.lockedUntil).toBe(new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString());
    expect(lockSecondsRemaining(state, now)).toBe(LOCKOUT_MINUTES * 60);
    const later = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000 + 1);
    expect(lockSecondsRemaining(state, later)).toBe(0);
    expect(afterFailedLogin(state, later)).toEqual({ failures: 1, lockedUntil: null });
  });
});

describe("codes", () => {
  it("six-digit codes keep leading zeros and skip biased values", () => {
    const queue = [new Uint8Array([0xff, 0xff, 0xff, 0xff]), new Uint8Array([0, 0, 0, 42])];
    expect(sixDigitCode(() => queue.shift()!)).toBe("000042");
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    for (let i = 0; i < 100; i++) expect(sixDigitCode(random)).toMatch(/^\d{6}$/);
  });

  it("recovery codes are xxxxx-xxxxx without ambiguous characters; input is normalised", () => {
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const code = recoveryCode(random);
    expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    expect(normaliseRecoveryCode(` ${code.toUpperCase()} `)).toBe(code.replace("-", ""));
    expect(looksLikeRecoveryCode(code)).toBe(true);
    expect(looksLikeRecoveryCode("123456")).toBe(false);
  });
});

describe("admin emails", () => {
  it("match case-insensitively in a comma-separated list", () => {
    expect(isAdminEmail("a@x.io, Boss@X.io", "boss@x.io")).toBe(true);
    expect(isAdminEmail("a@x.io", "b@x.io")).toBe(false);
    expect(isAdminEmail("", "b@x.io")).toBe(false);
  });
});

describe("refresh rotation grace window", () => {
  const now = new Date("2026-11-30T12:00:00.000Z");
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  it("a replaced token presented within 30 s is a concurrent copy, after that reuse", () => {
    expect(REFRESH_REUSE_GRACE_SECONDS).toBe(30);
    expect(replacedTokenVerdict(ago(0), now)).toBe("grace");
    expect(replacedTokenVerdict(ago(30), now)).toBe("grace");
    expect(replacedTokenVerdict(ago(30.001), now)).toBe("reuse");
    expect(replacedTokenVerdict(ago(3600), now)).toBe("reuse");
  });

  it("a rotation stamped slightly in the future (another isolate's clock) is within the window", () => {
    expect(replacedTokenVerdict(ago(-2), now)).toBe("grace");
  });
});

describe("unverified accounts expire after 7 days", () => {
  const now = new Date("2026-11-30T12:00:00.000Z");
  it("expires exactly at 7 days, not before", () => {
    expect(unverifiedAccountExpired("2026-11-23T12:00:00.000Z", now)).toBe(true);
    expect(unverifiedAccountExpired("2026-11-23T12:00:00.001Z", now)).toBe(false);
    expect(unverifiedAccountCutoff(now)).toBe("2026-11-23T12:00:00.000Z");
  });
});

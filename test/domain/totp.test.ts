// TOTP against the RFC 6238 Appendix B vectors (SHA-1) and RFC 4226 Appendix D, with an injected clock.
import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, otpauthUrl, totp, totpStep, verifyTotp } from "../../src/domain/totp";

const RFC_SECRET = new TextEncoder().encode("12345678901234567890");

describe("RFC 4226 HOTP", () => {
  it("matches Appendix D for counters 0..9", () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    expect(expected.map((_, i) => hotp(RFC_SECRET, i))).toEqual(expected);
  });
});

describe("RFC 6238 TOTP", () => {
  const vectors: Array<[number, string]> = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  it.each(vectors)("at T=%i s gives %s (8 digits, SHA-1)", (seconds, code) => {
    expect(totp(RFC_SECRET, seconds * 1000, 8)).toBe(code);
  });

  it("uses 30-second steps", () => {
    expect(totpStep(59_000)).toBe(1);
    expect(totpStep(60_000)).toBe(2);
  });
});

describe("verifyTotp", () => {
  const now = 1_111_111_111_000;
  const step = totpStep(now);

  it("accepts the current code and ±1 step, not ±2", () => {
    expect(verifyTotp(RFC_SECRET, hotp(RFC_SECRET, step), now)).toBe(step);
    expect(verifyTotp(RFC_SECRET, hotp(RFC_SECRET, step - 1), now)).toBe(step - 1);
    expect(verifyTotp(RFC_SECRET, hotp(RFC_SECRET, step + 1), now)).toBe(step + 1);
    expect(verifyTotp(RFC_SECRET, hotp(RFC_SECRET, step - 2), now)).toBeNull();
    expect(verifyTotp(RFC_SECRET, hotp(RFC_SECRET, step + 2), now)).toBeNull();
  });

  it("refuses a code whose step was already used (no replay)", () => {
    const code = hotp(RFC_SECRET, step);
    expect(verifyTotp(RFC_SECRET, code, now, { lastUsedStep: step })).toBeNull();
    expect(verifyTotp(RFC_SECRET, code, now, { lastUsedStep: step - 1 })).toBe(step);
  });

  it("refuses malformed codes", () => {
    expect(verifyTotp(RFC_SECRET, "12345", now)).toBeNull();
    expect(verifyTotp(RFC_SECRET, "12345a", now)).toBeNull();
    expect(verifyTotp(RFC_SECRET, "", now)).toBeNull();
  });
});

describe("base32 and otpauth", () => {
  it("round-trips and matches the RFC 4648 vector", () => {
    expect(base32Encode(new TextEncoder().encode("foobar"))).toBe("MZXW6YTBOI");
    expect(new TextDecoder().decode(base32Decode("MZXW6YTBOI"))).toBe("foobar");
    expect(base32Encode(RFC_SECRET)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  });

  it("builds a Key Uri Format URL", () => {
    const url = new URL(otpauthUrl({ secretBase32: "GEZDGNBV", account: "a@b.co", issuer: "Escra" }));
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("secret")).toBe("GEZDGNBV");
    expect(url.searchParams.get("issuer")).toBe("Escra");
    expect(url.searchParams.get("digits")).toBe("6");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe("/Escra:a@b.co");
  });
});

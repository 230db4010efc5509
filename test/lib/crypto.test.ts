// Shared crypto helpers: AES-256-GCM sealing bound to context, derived keys, HMAC, constant-time compare.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  base64UrlDecode,
  base64UrlEncode,
  deriveKey,
  hmacSha256Hex,
  open,
  openText,
  seal,
  sha256Hex,
  timingSafeEqual,
} from "../../src/lib/crypto";

describe("crypto helpers", () => {
  it("sha256 and hmac match known vectors", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2
    expect(hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("seals and opens; a different aad, key or a flipped byte fails", () => {
    const key = deriveKey(env.VAULT_KEK, "test");
    const sealed = seal(key, "JBSWY3DPEHPK3PXP", "totp:usr_1");
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(openText(key, sealed, "totp:usr_1")).toBe("JBSWY3DPEHPK3PXP");
    expect(() => open(key, sealed, "totp:usr_2")).toThrow();
    expect(() => open(deriveKey(env.VAULT_KEK, "other"), sealed, "totp:usr_1")).toThrow();
    const [v, n, ct] = sealed.split(".");
    const bytes = base64UrlDecode(ct!);
    bytes[0] = bytes[0]! ^ 1;
    expect(() => open(key, `${v}.${n}.${base64UrlEncode(bytes)}`, "totp:usr_1")).toThrow();
  });

  it("uses a fresh nonce per seal", () => {
    const key = deriveKey(env.VAULT_KEK, "test");
    expect(seal(key, "same")).not.toBe(seal(key, "same"));
  });

  it("derives distinct keys per purpose", () => {
    expect(base64UrlEncode(deriveKey(env.VAULT_KEK, "a"))).not.toBe(base64UrlEncode(deriveKey(env.VAULT_KEK, "b")));
  });

  it("compares in constant time and by value", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
  });
});

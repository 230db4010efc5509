import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { kekId, openRecord, rewrapRecord, sealRecord } from "../../src/lib/vault";
import { base64Encode, randomBytes } from "../../src/lib/crypto";

const newKek = () => base64Encode(randomBytes(32));
const SECRET = JSON.stringify({ username: "owner@shop.example", password: "hunter2-very-secret" });

describe("vault", () => {
  it("seals and opens; nothing readable in the sealed record", () => {
    const r = sealRecord(env.VAULT_KEK, "esc_1", SECRET);
    expect(JSON.stringify(r)).not.toContain("hunter2");
    expect(JSON.stringify(r)).not.toContain("owner@shop");
    expect(openRecord(env.VAULT_KEK, "esc_1", r)).toBe(SECRET);
  });

  it("each record has its own data key (same plaintext, different wrapped keys and ciphertexts)", () => {
    const a = sealRecord(env.VAULT_KEK, "esc_1", SECRET);
    const b = sealRecord(env.VAULT_KEK, "esc_1", SECRET);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("binds the record to its id (AAD) and its KEK; tampering fails", () => {
    const r = sealRecord(env.VAULT_KEK, "esc_1", SECRET);
    expect(() => openRecord(env.VAULT_KEK, "esc_2", r)).toThrow();
    expect(() => openRecord(newKek(), "esc_1", r)).toThrow();
    const flipped = r.ciphertext.slice(0, -2) + (r.ciphertext.endsWith("A") ? "BA" : "AA");
    expect(() => openRecord(env.VAULT_KEK, "esc_1", { ...r, ciphertext: flipped })).toThrow();
  });

  it("rotation re-wraps the data key and leaves the ciphertext untouched", () => {
    const next = newKek();
    const r = sealRecord(env.VAULT_KEK, "esc_1", SECRET);
    const rotated = rewrapRecord(env.VAULT_KEK, next, "esc_1", r);
    expect(rotated.ciphertext).toBe(r.ciphertext);
    expect(rotated.wrappedKey).not.toBe(r.wrappedKey);
    expect(rotated.kekId).toBe(kekId(next));
    expect(openRecord(next, "esc_1", rotated)).toBe(SECRET);
    expect(() => openRecord(env.VAULT_KEK, "esc_1", rotated)).toThrow();
    expect(rewrapRecord(env.VAULT_KEK, next, "esc_1", rotated)).toBe(rotated); // already rotated: unchanged
    expect(() => rewrapRecord(newKek(), newKek(), "esc_1", r)).toThrow();
  });
});

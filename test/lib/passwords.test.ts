// argon2id password hashing: PHC format, verification with the hash's own parameters, rehash detection,
// refusal of hostile parameters; and the measured cost per hash inside workerd (logged, not asserted).
import { describe, expect, it } from "vitest";
import { CURRENT_PARAMS, hashPassword, needsRehash, parsePasswordHash, verifyAgainstDummy, verifyPassword } from "../../src/lib/passwords";

describe("argon2id passwords", () => {
  it("stores a PHC string with the current parameters and a random salt", () => {
    const a = hashPassword("correct horse battery");
    const b = hashPassword("correct horse battery");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("correct horse");
  });

  it("verifies the right password only", () => {
    const hash = hashPassword("correct horse battery");
    expect(verifyPassword("correct horse battery", hash)).toBe(true);
    expect(verifyPassword("correct horse batterY", hash)).toBe(false);
    expect(verifyPassword("", hash)).toBe(false);
  });

  it("verifies with the parameters written in the hash, and flags weaker ones for rehash", () => {
    const weak = hashPassword("old password 123", { m: 1024, t: 1, p: 1 });
    expect(weak).toContain("$m=1024,t=1,p=1$");
    expect(verifyPassword("old password 123", weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(hashPassword("x".repeat(10)))).toBe(false);
    expect(needsRehash(hashPassword("x".repeat(10)), { ...CURRENT_PARAMS, t: 3 })).toBe(true);
  });

  it("verifies the reference implementation's argon2id output (foreign hash, its own parameters)", () => {
    // The reference CLI's README example: echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1 -l 32 -e (m = 2^16 KiB)
    const reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
    expect(verifyPassword("password", reference)).toBe(true);
    expect(verifyPassword("passwordx", reference)).toBe(false);
  });

  it("refuses malformed hashes and parameters that would exhaust memory", () => {
    expect(parsePasswordHash("$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA")).toBeNull();
    expect(parsePasswordHash("$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).toBeNull();
    expect(verifyPassword("password", "not a hash")).toBe(false);
  });

  it("dummy verification always fails", () => {
    expect(verifyAgainstDummy("anything at all")).toBe(false);
  });

  it("measures the cost of one hash inside workerd (reported, not asserted)", () => {
    hashPassword("warm-up password");
    const runs = 5;
    const started = performance.now();
    for (let i = 0; i < runs; i++) hashPassword(`measure ${i} password`);
    const elapsed = performance.now() - started;
    console.log(`argon2id m=${CURRENT_PARAMS.m} KiB t=${CURRENT_PARAMS.t} p=${CURRENT_PARAMS.p}: ${(elapsed / runs).toFixed(1)} ms per hash (performance.now)`);
    expect(runs).toBe(5);
  });
});

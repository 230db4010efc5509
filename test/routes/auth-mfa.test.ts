// MFA: enrolment, login with TOTP (fixed RFC 6238 secret and a fixed clock), replay refusal, recovery codes,
// disabling; the secret is sealed at rest and recovery codes are hashed.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../helpers/http";
import { createUser, login } from "../helpers/users";
import { sealTotpSecret } from "../../src/lib/identity-secrets";
import { sha256Hex } from "../../src/lib/crypto";
import { base32Decode, totp } from "../../src/domain/totp";

/** RFC 6238 Appendix B's SHA-1 secret ("12345678901234567890"), base32. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/** RFC 6238: at T = 2000000000 s the 8-digit code is 69279037, so the 6-digit code is 279037. */
const T0 = 2_000_000_000_000;
const CODE_AT_T0 = "279037";

afterEach(() => {
  vi.useRealTimers();
});

const mfa = (path: string, token: string, body?: unknown) =>
  call("POST", `/api/v1/auth/mfa/${path}`, { token, body: body ?? {} });

async function apiKeyFor(userId: string) {
  const secret = `esk_${crypto.randomUUID().replace(/-/g, "")}abcdefgh`;
  await env.DB.prepare(
    "INSERT INTO api_keys (id, user_id, name, prefix, secret_hash, scopes, created_at) VALUES (?, ?, 'k', ?, ?, ?, ?)",
  )
    .bind(
      `key_${crypto.randomUUID().slice(0, 20)}`,
      userId,
      secret.slice(0, 12),
      sha256Hex(secret),
      JSON.stringify(["profile:read"]),
      new Date().toISOString(),
    )
    .run();
  return secret;
}

describe("MFA with a fixed secret and clock", () => {
  it("enables, then login needs the code; codes are single use; recovery codes work once; disable needs a code", async () => {
    const u = await createUser();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0 - 60_000);
    const session = await login(u.email, u.password);
    const token = session.body.data.accessToken as string;

    const enabled = await mfa("enable", token);
    expect(enabled.status).toBe(200);
    expect(enabled.body.data.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(enabled.body.data.otpauthUrl);
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("secret")).toBe(enabled.body.data.secret);
    // Not on until verified.
    expect((await login(u.email, u.password)).status).toBe(200);

    // Swap in the RFC secret so the expected code is known independently of our implementation.
    await env.DB.prepare("UPDATE users SET mfa_secret_sealed = ? WHERE id = ?")
      .bind(sealTotpSecret(env, u.user.id, RFC_SECRET), u.user.id)
      .run();
    vi.setSystemTime(T0);
    const wrong = await mfa("verify", token, { code: "000000" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("AUTH005");
    const verified = await mfa("verify", token, { code: CODE_AT_T0 });
    expect(verified.status).toBe(200);
    const recoveryCodes: string[] = verified.body.data.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(recoveryCodes[0]).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect((await call("GET", "/api/v1/auth/me", { token })).body.data.user.mfaEnabled).toBe(true);

    // At rest: the secret is sealed, recovery codes hashed.
    const row = await env.DB.prepare("SELECT mfa_secret_sealed FROM users WHERE id = ?")
      .bind(u.user.id)
      .first<{ mfa_secret_sealed: string }>();
    expect(row!.mfa_secret_sealed).toMatch(/^v1\./);
    expect(row!.mfa_secret_sealed).not.toContain(RFC_SECRET);
    const stored = JSON.stringify(
      (await env.DB.prepare("SELECT * FROM mfa_recovery_codes WHERE user_id = ?").bind(u.user.id).all()).results,
    );
    for (const code of recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace("-", ""));
    }

    // Login now requires the code.
    const missing = await login(u.email, u.password);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ code: "AUTH005", details: { mfaRequired: true } });
    // The code used to verify cannot be replayed.
    expect((await login(u.email, u.password, { mfaCode: CODE_AT_T0 })).body.error.code).toBe("AUTH005");
    // A wrong password with a right code is still AUTH001.
    vi.setSystemTime(T0 + 30_000);
    const next = totp(base32Decode(RFC_SECRET), T0 + 30_000);
    expect((await login(u.email, "not the password", { mfaCode: next })).body.error.code).toBe("AUTH001");
    const ok = await login(u.email, u.password, { mfaCode: next });
    expect(ok.status).toBe(200);
    expect((await login(u.email, u.password, { mfaCode: next })).body.error.code).toBe("AUTH005");
    // Two logins racing with the same fresh code: exactly one wins.
    vi.setSystemTime(T0 + 90_000);
    const fresh = totp(base32Decode(RFC_SECRET), T0 + 90_000);
    const raced = await Promise.all([
      login(u.email, u.password, { mfaCode: fresh }),
      login(u.email, u.password, { mfaCode: fresh }),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
    // Two steps old is outside the ±1 window.
    vi.setSystemTime(T0 + 120_000);
    expect(
      (await login(u.email, u.password, { mfaCode: totp(base32Decode(RFC_SECRET), T0 + 60_000 - 30_000) })).body.error
        .code,
    ).toBe("AUTH005");

    // Recovery code: accepted once, in any case and spacing.
    const recovery = recoveryCodes[3]!;
    expect((await login(u.email, u.password, { mfaCode: recovery.toUpperCase().replace("-", " ") })).status).toBe(200);
    expect((await login(u.email, u.password, { mfaCode: recovery })).body.error.code).toBe("AUTH005");

    // Disable: a wrong code is refused, a valid one turns MFA off.
    const current = ok.body.data.accessToken as string;
    expect((await mfa("disable", current, { code: "123456" })).body.error.code).toBe("AUTH005");
    const off = await mfa("disable", current, { code: totp(base32Decode(RFC_SECRET), T0 + 120_000) });
    expect(off.status).toBe(200);
    expect(off.body.data.mfaEnabled).toBe(false);
    expect((await login(u.email, u.password)).status).toBe(200);
    const cleared = await env.DB.prepare(
      "SELECT mfa_secret_sealed, (SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?) AS codes FROM users WHERE id = ?",
    )
      .bind(u.user.id, u.user.id)
      .first<{ mfa_secret_sealed: string | null; codes: number }>();
    expect(cleared).toEqual({ mfa_secret_sealed: null, codes: 0 });

    const actions = (
      await env.DB.prepare("SELECT action FROM audit_logs WHERE actor_id = ?").bind(u.user.id).all<{ action: string }>()
    ).results.map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(["auth.mfa.enabled", "auth.mfa.disabled", "auth.login.failed", "auth.login.succeeded"]),
    );
  });
});

describe("MFA route guards", () => {
  it("verify without enrolment and disable while off are RES002; enable while on is RES002", async () => {
    const u = await createUser();
    expect((await mfa("verify", u.accessToken, { code: "123456" })).body.error.code).toBe("RES002");
    expect((await mfa("disable", u.accessToken, { code: "123456" })).body.error.code).toBe("RES002");
    const enabled = await mfa("enable", u.accessToken);
    const code = totp(base32Decode(enabled.body.data.secret), Date.now());
    expect((await mfa("verify", u.accessToken, { code })).status).toBe(200);
    expect((await mfa("enable", u.accessToken)).body.error.code).toBe("RES002");
  });

  it("rejects invalid input with VAL001", async () => {
    const u = await createUser();
    const res = await mfa("verify", u.accessToken, { code: "" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
  });

  it("needs a user session: anonymous AUTH004, API key AUTH003", async () => {
    const u = await createUser();
    expect((await call("POST", "/api/v1/auth/mfa/enable")).body.error.code).toBe("AUTH004");
    const key = await apiKeyFor(u.user.id);
    const res = await mfa("enable", key);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AUTH003");
  });
});

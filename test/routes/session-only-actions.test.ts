// Account-defining changes need the person, not a key (issue 11, kind 3): payout account, password, MFA, API keys,
// sessions and erasure refuse every API key (even one holding every scope); with MFA on, replacing the payout
// account needs a fresh one-time code; the owner is emailed about every payout account change.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";
import { SCOPES, isAdminScope } from "../../src/domain/scopes";
import { base32Decode, totp } from "../../src/domain/totp";

const PATH = "/api/v1/users/me/payout-account";
const ACCOUNT = { name: "Ada Seller", accountNumber: "0123456789", bankCode: "058", currency: "NGN" };

async function keyOf(user: TestUser, scopes: string[]) {
  const res = await call("POST", "/api/v1/api-keys", { token: user.accessToken, body: { name: "k", scopes } });
  expect(res.status).toBe(201);
  return res.body.data.secret as string;
}

const recipientOf = async (userId: string) =>
  (await env.DB.prepare("SELECT payout_recipient_code AS r FROM users WHERE id = ?")
    .bind(userId)
    .first<{ r: string | null }>())!.r;

/** Turns MFA on through the API and returns the recovery codes (each usable once as an MFA code). */
async function enableMfa(user: TestUser): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enabled = await call("POST", "/api/v1/auth/mfa/enable", { token: user.accessToken, body: {} });
  const secret = enabled.body.data.secret as string;
  const verified = await call("POST", "/api/v1/auth/mfa/verify", {
    token: user.accessToken,
    body: { code: totp(base32Decode(secret), Date.now()) },
  });
  expect(verified.status).toBe(200);
  return { secret, recoveryCodes: verified.body.data.recoveryCodes };
}

describe("account-defining changes refuse API keys", () => {
  it("a key with profile:write cannot replace the payout account (403 AUTH003; the issue's example)", async () => {
    const seller = await createUser();
    expect((await call("PUT", PATH, { token: seller.accessToken, body: ACCOUNT })).status).toBe(200);
    const before = await recipientOf(seller.user.id);
    const key = await keyOf(seller, ["profile:write", "profile:read"]);
    const put = await call("PUT", PATH, { token: key, body: { ...ACCOUNT, accountNumber: "9999999999" } });
    expect(put.status).toBe(403);
    expect(put.body.error.code).toBe("AUTH003");
    const del = await call("DELETE", PATH, { token: key });
    expect(del.status).toBe(403);
    expect(del.body.error.code).toBe("AUTH003");
    expect(await recipientOf(seller.user.id)).toBe(before);
    // Reading it stays a profile:read operation.
    expect((await call("GET", PATH, { token: key })).status).toBe(200);
  });

  it("a key holding every scope still cannot touch password, MFA, keys, sessions, payout account or erasure", async () => {
    const user = await createUser();
    const key = await keyOf(
      user,
      SCOPES.filter((s) => !isAdminScope(s)),
    );
    const attempts: [string, string, unknown?][] = [
      ["PUT", PATH, ACCOUNT],
      ["DELETE", PATH],
      [
        "POST",
        "/api/v1/auth/password/change",
        { currentPassword: user.password, newPassword: "another-long-password-1" },
      ],
      ["POST", "/api/v1/auth/mfa/enable", {}],
      ["POST", "/api/v1/auth/mfa/disable", { code: "123456" }],
      ["POST", "/api/v1/api-keys", { name: "child", scopes: ["contracts:read"] }],
      ["GET", "/api/v1/api-keys"],
      ["GET", "/api/v1/auth/sessions"],
      ["POST", "/api/v1/auth/logout", {}],
      ["GET", "/api/v1/users/me/export"],
      ["DELETE", "/api/v1/users/me", { password: user.password }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, { token: key, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code, `${method} ${path}`).toBe("AUTH003");
    }
    expect((await call("GET", "/api/v1/users/me", { token: user.accessToken })).status).toBe(200);
  });
});

describe("the payout account with MFA on", () => {
  it("needs a fresh one-time code: none → 401 AUTH005 mfaRequired, wrong → AUTH005, a valid one → 200", async () => {
    const seller = await createUser();
    const { recoveryCodes } = await enableMfa(seller);

    const missing = await call("PUT", PATH, { token: seller.accessToken, body: ACCOUNT });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("AUTH005");
    expect(missing.body.error.details).toMatchObject({ mfaRequired: true });

    const wrong = await call("PUT", PATH, { token: seller.accessToken, body: { ...ACCOUNT, mfaCode: "000000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("AUTH005");
    expect(await recipientOf(seller.user.id)).toBeNull();

    const done = await call("PUT", PATH, {
      token: seller.accessToken,
      body: { ...ACCOUNT, mfaCode: recoveryCodes[0] },
    });
    expect(done.status).toBe(200);
    expect(done.body.data.payoutAccount).toMatchObject({ last4: "6789" });

    // The code was consumed: the same one cannot authorise a second change.
    const again = await call("PUT", PATH, {
      token: seller.accessToken,
      body: { ...ACCOUNT, accountNumber: "1111111111", mfaCode: recoveryCodes[0] },
    });
    expect(again.body.error.code).toBe("AUTH005");
    expect(done.body.data.payoutAccount.last4).toBe("6789");
  });

  it("without MFA a session changes it with no code, and mfaCode is bounded (VAL001)", async () => {
    const seller = await createUser();
    expect(
      (await call("PUT", PATH, { token: seller.accessToken, body: { ...ACCOUNT, mfaCode: "x".repeat(41) } })).body.error
        .code,
    ).toBe("VAL001");
    expect((await call("PUT", PATH, { token: seller.accessToken, body: ACCOUNT })).status).toBe(200);
  });

  it("turning MFA off needs a current code too (AUTH005 without a valid one)", async () => {
    const user = await createUser();
    await enableMfa(user);
    const res = await call("POST", "/api/v1/auth/mfa/disable", { token: user.accessToken, body: { code: "000000" } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTH005");
  });
});

describe("the account owner hears of every payout account change", () => {
  it("emails the owner when the payout account is set and when it is removed", { timeout: 90_000 }, async () => {
    const seller = await createUser();
    expect((await call("PUT", PATH, { token: seller.accessToken, body: ACCOUNT })).status).toBe(200);
    const set = await waitForEmail({ to: seller.email, subject: "payout account was changed", timeoutMs: 30_000 });
    expect(set.text).toContain("6789");
    expect(set.text).not.toContain("0123456789");

    expect((await call("DELETE", PATH, { token: seller.accessToken })).status).toBe(200);
    // Two emails to the owner: one per change (the mailbox lists newest first).
    await expect
      .poll(
        async () => {
          const mails = await call("GET", `/api/v1/dev/mailbox?to=${encodeURIComponent(seller.email)}&perPage=100`);
          return mails.body.data.filter((m: { subject: string }) => m.subject.includes("payout account was changed"));
        },
        { timeout: 30_000, interval: 200 },
      )
      .toHaveLength(2);
    const removed = await waitForEmail({ to: seller.email, subject: "payout account was changed" });
    expect(removed.text).toContain("was removed");
  });
});

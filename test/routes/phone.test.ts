// Phone verification and SMS (issue 17.3): POST /users/me/phone sends a 6-digit code by SMS (the dev mailbox is the
// test provider), POST /auth/verify-phone confirms it under the email-code rules (hashed, 5 minutes, 5 attempts),
// a failing provider delays the code without losing it, and SMS becomes a notification channel once verified.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { call, BASE } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { listEmails } from "../helpers/mailbox";
import { receiverBox } from "../helpers/webhook-receiver";
import { deliver } from "../jobs/queue-harness";
import { publishEvent } from "../../src/lib/events";
import type { QueueMessage } from "../../src/lib/queue-messages";

let seq = 0;
/** A distinct valid Nigerian mobile number per call (this file's storage is shared by its tests). */
const mobile = () => `+234803${String(1_000_000 + ++seq * 7919).slice(-7)}`;

const sendCode = (user: TestUser, phone: string) =>
  call("POST", "/api/v1/users/me/phone", { token: user.accessToken, body: { phone } });
const confirm = (user: TestUser, code: string) =>
  call("POST", "/api/v1/auth/verify-phone", { token: user.accessToken, body: { code } });

/** The code in the newest SMS to `phone`, waiting for the queue to deliver it. */
async function smsCode(phone: string, notAmong: string[] = []): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const codes = (await listEmails(phone))
      .filter((m) => m.subject === "SMS")
      .map((m) => /\b(\d{6})\b/.exec(m.text)?.[1]);
    const code = codes.find((c) => c && !notAmong.includes(c));
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`no SMS code to ${phone}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

async function verifiedUser(): Promise<{ user: TestUser; phone: string }> {
  const user = await createUser();
  const phone = mobile();
  expect((await sendCode(user, phone)).status).toBe(202);
  expect((await confirm(user, await smsCode(phone))).status).toBe(200);
  return { user, phone };
}

describe("POST /users/me/phone and POST /auth/verify-phone", () => {
  it("sends a 6-digit code by SMS; the code verifies the number and the user shows phoneVerified", async () => {
    const user = await createUser();
    expect((await call("GET", "/api/v1/auth/me", { token: user.accessToken })).body.data.user).toMatchObject({
      phone: null,
      phoneVerified: false,
    });
    const phone = mobile();
    const sent = await sendCode(user, phone);
    expect(sent.status).toBe(202);
    expect(sent.body.data.phone).toBe(phone);
    const ttl = Date.parse(sent.body.data.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(4 * 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);

    const code = await smsCode(phone);
    const stored = await env.DB.prepare(
      "SELECT code_hash, channel, target FROM email_verifications WHERE user_id = ? AND channel = 'phone'",
    )
      .bind(user.user.id)
      .first<{ code_hash: string; channel: string; target: string }>();
    expect(stored).toMatchObject({ channel: "phone", target: phone });
    expect(stored!.code_hash).not.toContain(code); // hashed at rest

    const verified = await confirm(user, code);
    expect(verified.status).toBe(200);
    expect(verified.body.data.user).toMatchObject({ id: user.user.id, phone, phoneVerified: true });
    expect((await call("GET", "/api/v1/users/me", { token: user.accessToken })).body.data.user).toMatchObject({
      phone,
      phoneVerified: true,
    });
  });

  it("refuses numbers that are not E.164, not valid, or landlines (400 VAL001) and sends nothing", async () => {
    const user = await createUser();
    for (const phone of ["08031234567", "+234 803 123 4567", "+2341234567", "+442071838750", ""]) {
      const res = await sendCode(user, phone);
      expect(res.status, phone).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
    }
    const missing = await call("POST", "/api/v1/users/me/phone", { token: user.accessToken, body: {} });
    expect(missing.body.error.code).toBe("VAL001");
    const badCode = await confirm(user, "12ab56");
    expect(badCode.status).toBe(400);
    expect(badCode.body.error.code).toBe("VAL001");
  });

  it("a code works once: reusing it is AUTH001", async () => {
    const user = await createUser();
    const phone = mobile();
    await sendCode(user, phone);
    const code = await smsCode(phone);
    expect((await confirm(user, code)).status).toBe(200);
    const again = await confirm(user, code);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("AUTH001");
  });

  it("an expired code (older than 5 minutes) is AUTH001 and does not verify the number", async () => {
    const user = await createUser();
    const phone = mobile();
    await sendCode(user, phone);
    const code = await smsCode(phone);
    const past = new Date(Date.now() - 1000).toISOString();
    await env.DB.prepare("UPDATE email_verifications SET expires_at = ? WHERE user_id = ? AND channel = 'phone'")
      .bind(past, user.user.id)
      .run();
    const res = await confirm(user, code);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTH001");
    expect((await call("GET", "/api/v1/auth/me", { token: user.accessToken })).body.data.user.phoneVerified).toBe(
      false,
    );
  });

  it("after 5 wrong codes even the right one is refused (lockout, as for email codes); a new code works", async () => {
    const user = await createUser();
    const phone = mobile();
    await sendCode(user, phone);
    const code = await smsCode(phone);
    for (let i = 0; i < 5; i++) expect((await confirm(user, wrong(code))).body.error.code).toBe("AUTH001");
    const locked = await confirm(user, code);
    expect(locked.status).toBe(401);
    expect(locked.body.error.code).toBe("AUTH001");

    expect((await sendCode(user, phone)).status).toBe(202);
    const fresh = await smsCode(phone, [code]);
    expect((await confirm(user, fresh)).status).toBe(200);
  });

  it("a new code retires the previous one", async () => {
    const user = await createUser();
    const phone = mobile();
    await sendCode(user, phone);
    const first = await smsCode(phone);
    await sendCode(user, phone);
    const second = await smsCode(phone, [first]);
    expect((await confirm(user, first)).body.error.code).toBe("AUTH001");
    expect((await confirm(user, second)).status).toBe(200);
  });

  it("without a pending phone code every code is AUTH001 (the verified email's code does not count)", async () => {
    const user = await createUser();
    const res = await confirm(user, "000000");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTH001"); // no phone code pending at all
  });

  it("the number already verified is 409 RES002; verifying another number replaces it", async () => {
    const { user, phone } = await verifiedUser();
    const same = await sendCode(user, phone);
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe("RES002");
    const next = mobile();
    await sendCode(user, next);
    // Until confirmed, the old number stays the verified one.
    expect((await call("GET", "/api/v1/auth/me", { token: user.accessToken })).body.data.user.phone).toBe(phone);
    expect((await confirm(user, await smsCode(next))).body.data.user).toMatchObject({
      phone: next,
      phoneVerified: true,
    });
  });

  it("needs the person's session: anonymous is AUTH004, any API key AUTH003", async () => {
    const user = await createUser();
    const anon = await call("POST", "/api/v1/users/me/phone", { body: { phone: mobile() } });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe("AUTH004");
    const key = await call("POST", "/api/v1/api-keys", {
      token: user.accessToken,
      body: { name: "k", scopes: ["profile:write", "profile:read"] },
    });
    const secret = key.body.data.secret as string;
    for (const [path, body] of [
      ["/api/v1/users/me/phone", { phone: mobile() }],
      ["/api/v1/auth/verify-phone", { code: "123456" }],
    ] as const) {
      const res = await call("POST", path, { token: secret, body });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe("AUTH003");
    }
  });

  it("limits codes to 5 an hour per user (429 RATE001)", async () => {
    const user = await createUser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await sendCode(user, mobile())).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe("a failing SMS provider", () => {
  it("does not lose the code: the sms.send job retries, and the code sent on retry verifies", async () => {
    const user = await createUser();
    const phone = mobile();
    // The route's own queue message, captured instead of delivered, so this test decides how each attempt goes.
    const captured: QueueMessage[] = [];
    const jobs = { send: async (m: QueueMessage) => void captured.push(m) } as unknown as Queue<QueueMessage>;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/api/v1/users/me/phone`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ phone }),
      }),
      { ...env, JOBS: jobs },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(202);
    expect(captured.map((m) => m.kind)).toEqual(["sms.send"]);

    // Twilio (a real HTTP stand-in on loopback) answers 500: the job fails and the queue is asked to retry.
    const twilio = await receiverBox({ statuses: [500] });
    const twilioEnv = {
      SMS_PROVIDER: "twilio",
      SMS_FROM: "+15005550006",
      TWILIO_ACCOUNT_SID: "AC1",
      TWILIO_AUTH_TOKEN: "secret",
      TWILIO_BASE_URL: twilio.url,
    };
    const failed = await deliver("escra-jobs", captured[0], { attempts: 1, env: twilioEnv });
    expect(failed.result.retryMessages).toEqual([{ msgId: failed.messageId }]);
    const [request] = await twilio.waitFor(1);
    expect(request!.headers["authorization"]).toBe(`Basic ${btoa("AC1:secret")}`);
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(request!.body).get("To")).toBe(phone);
    expect(await listEmails(phone)).toEqual([]);

    // The retry reaches a working provider (the dev mailbox); the code in it verifies the number.
    const retried = await deliver("escra-jobs", captured[0], { attempts: 2 });
    expect(retried.result.retryMessages).toEqual([]);
    expect((await confirm(user, await smsCode(phone))).body.data.user).toMatchObject({ phone, phoneVerified: true });
  });

  it("without any provider configured, POST /users/me/phone is 503 SYS002 and stores no code", async () => {
    const user = await createUser();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/api/v1/users/me/phone`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ phone: mobile() }),
      }),
      { ...env, ENVIRONMENT: "staging" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("SYS002");
    const row = await env.DB.prepare(
      "SELECT count(*) AS n FROM email_verifications WHERE user_id = ? AND channel = 'phone'",
    )
      .bind(user.user.id)
      .first<{ n: number }>();
    expect(row!.n).toBe(0);
  });
});

describe("SMS as a notification channel", () => {
  const PREFS = "/api/v1/users/me/notification-preferences";

  it("cannot be turned on without a verified phone (409 RES002)", async () => {
    const user = await createUser();
    const res = await call("PUT", PREFS, {
      token: user.accessToken,
      body: { preferences: { "escrow.funded": { sms: true } } },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
    const prefs = await call("GET", PREFS, { token: user.accessToken });
    expect(prefs.body.data.preferences["escrow.funded"].sms).toBe(false);
    // Turning it off, or other channels, stays allowed.
    expect(
      (
        await call("PUT", PREFS, {
          token: user.accessToken,
          body: { preferences: { "escrow.funded": { sms: false, email: true } } },
        })
      ).status,
    ).toBe(200);
  });

  it("once the phone is verified, the chosen events arrive by SMS", async () => {
    const { user, phone } = await verifiedUser();
    const put = await call("PUT", PREFS, {
      token: user.accessToken,
      body: { preferences: { "escrow.funded": { sms: true } } },
    });
    expect(put.status).toBe(200);
    expect(put.body.data.preferences["escrow.funded"]).toMatchObject({ sms: true });
    expect(put.body.data.preferences["escrow.released"]).toMatchObject({ sms: false });

    const escrowId = "esc_00000000000000000017";
    await publishEvent(env, {
      type: "escrow.funded",
      data: { escrowId, status: "funds_held", amount: 500_000, currency: "NGN" },
      subject: { type: "escrow", id: escrowId },
      audience: [user.user.id],
    });
    const deadline = Date.now() + 15_000;
    let texts: string[] = [];
    while (Date.now() < deadline) {
      texts = (await listEmails(phone))
        .filter((m) => m.subject === "SMS" && m.text.startsWith("Escra:"))
        .map((m) => m.text);
      if (texts.length > 0) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(texts).toHaveLength(1);
  });
});

// Registration, email verification (6-digit code, 10 minutes, 5 attempts), resend, and /auth/me.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { listEmails, waitForEmail } from "../helpers/mailbox";
import { createUser, testIp, uniqueEmail, verificationCode } from "../helpers/users";

const register = (body: Record<string, unknown>, ip = testIp()) =>
  call("POST", "/api/v1/auth/register", { body, headers: { "cf-connecting-ip": ip, "user-agent": "escra-tests/1.0" } });
const verify = (email: string, code: string) =>
  call("POST", "/api/v1/auth/verify-email", { body: { email, code }, headers: { "cf-connecting-ip": testIp() } });

const PASSWORD = "a long enough password";

describe("POST /auth/register", () => {
  it("creates an unverified user, emails a code, and stores neither password nor code in clear", async () => {
    const email = uniqueEmail("reg");
    const res = await register({
      email: email.toUpperCase(),
      password: PASSWORD,
      name: "Ada",
      accountType: "business",
      company: "Acme",
      industry: "Legal",
    });
    expect(res.status).toBe(201);
    expect(res.body.data.user).toMatchObject({
      email,
      name: "Ada",
      role: "user",
      accountType: "business",
      company: "Acme",
      industry: "Legal",
      emailVerified: false,
      mfaEnabled: false,
    });
    expect(res.body.data.user.id).toMatch(/^usr_/);
    expect(res.body.data.user).not.toHaveProperty("passwordHash");

    const code = await verificationCode(email);
    const user = await env.DB.prepare("SELECT * FROM users WHERE id = ?")
      .bind(res.body.data.user.id)
      .first<Record<string, string>>();
    expect(user!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(user)).not.toContain(PASSWORD);
    const codes = await env.DB.prepare("SELECT * FROM email_verifications WHERE user_id = ?").bind(user!.id).all();
    expect(codes.results).toHaveLength(1);
    expect(JSON.stringify(codes.results)).not.toContain(code);
    expect((codes.results[0] as { code_hash: string }).code_hash).toMatch(/^[0-9a-f]{64}$/);

    // The email pipeline drops template data once the message is sent.
    const sent = () =>
      env.DB.prepare("SELECT data FROM email_deliveries WHERE user_id = ? AND status = 'sent'").bind(user!.id).all();
    let deliveries = await sent();
    for (let i = 0; i < 50 && deliveries.results.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      deliveries = await sent();
    }
    expect(deliveries.results.length).toBeGreaterThan(0);
    expect(JSON.stringify(deliveries.results)).not.toContain(code);

    const audit = await env.DB.prepare("SELECT * FROM audit_logs WHERE actor_id = ? AND action = 'auth.registered'")
      .bind(user!.id)
      .first<Record<string, string>>();
    expect(audit).toMatchObject({ user_agent: "escra-tests/1.0", resource_type: "user" });
    expect(audit!.ip).toMatch(/^10\./);
  });

  it("makes ADMIN_EMAILS admin once the address is verified, not before", async () => {
    const res = await register({ email: "Admin@Escra.test", password: PASSWORD, name: "Root" });
    expect(res.status).toBe(201);
    // Unverified: anyone could have typed this address.
    expect(res.body.data.user.role).toBe("user");
    const verified = await verify("admin@escra.test", await verificationCode("admin@escra.test"));
    expect(verified.status).toBe(200);
    expect(verified.body.data.user.role).toBe("admin");
    const row = await env.DB.prepare("SELECT role FROM users WHERE email = 'admin@escra.test'").first<{
      role: string;
    }>();
    expect(row!.role).toBe("admin");
  });

  it("answers RES002 for an email already registered and verified, in any case", async () => {
    const email = uniqueEmail("dup");
    expect((await register({ email, password: PASSWORD, name: "A" })).status).toBe(201);
    expect((await verify(email, await verificationCode(email))).status).toBe(200);
    const again = await register({ email: email.toUpperCase(), password: PASSWORD, name: "B" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RES002");
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(email)
      .first<{ n: number }>();
    expect(count!.n).toBe(1);
  });

  it.each([
    [{ email: "not-an-email", password: PASSWORD, name: "A" }, "email"],
    [{ email: uniqueEmail(), password: "short", name: "A" }, "password"],
    [{ email: uniqueEmail(), password: "x".repeat(257), name: "A" }, "password"],
    [{ email: uniqueEmail(), password: PASSWORD, name: "" }, "name"],
    // A name is the sender on executed contracts and certificates: one line, every character drawable.
    [{ email: uniqueEmail(), password: PASSWORD, name: "Ada\r\nBcc: x@example.com" }, "name"],
    [{ email: uniqueEmail(), password: PASSWORD, name: "Ada \uE000" }, "name"],
    [{ email: uniqueEmail(), password: PASSWORD, name: "A", accountType: "business" }, "company"],
    [{ email: uniqueEmail(), password: PASSWORD, name: "A", accountType: "alien" }, "accountType"],
  ])("rejects invalid input %# with VAL001 naming %s, storing nothing", async (body, path) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    const row = await env.DB.prepare("SELECT id FROM users WHERE email = ?")
      .bind(String(body.email).toLowerCase())
      .first();
    expect(row).toBeNull();
  });

  it("limits registrations per IP (RATE001 with Retry-After)", async () => {
    const ip = testIp();
    let last = await register({ email: "bad", password: PASSWORD, name: "A" }, ip);
    for (let i = 0; i < 20 && last.status !== 429; i++)
      last = await register({ email: "bad", password: PASSWORD, name: "A" }, ip);
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe("RATE001");
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("a person's name must render in documents (attack pass: hostile text)", () => {
  it("PATCH /users/me refuses a name no font can draw or with a line break (VAL001); CJK and Arabic pass", async () => {
    const u = await createUser();
    for (const name of ["Ada \uE000", "Ada\nLovelace"]) {
      const res = await call("PATCH", "/api/v1/users/me", { token: u.accessToken, body: { name } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
      expect(res.body.error.details[0].path).toBe("name");
    }
    const ok = await call("PATCH", "/api/v1/users/me", {
      token: u.accessToken,
      body: { name: "\u674e\u534e \u0645\u062d\u0645\u062f" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.user.name).toBe("\u674e\u534e \u0645\u062d\u0645\u062f");
  });
});

describe("POST /auth/verify-email", () => {
  async function registered() {
    const email = uniqueEmail("ver");
    const res = await register({ email, password: PASSWORD, name: "Vera" });
    return { email, id: res.body.data.user.id as string, code: await verificationCode(email) };
  }

  it("verifies with the right code, once", async () => {
    const { email, code, id } = await registered();
    const res = await verify(email, code);
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id, emailVerified: true });
    const again = await verify(email, code);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("AUTH001");
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'auth.email_verified'",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(audit!.n).toBe(1);
  });

  it("answers AUTH001 for a wrong code and for an unknown email alike", async () => {
    const { email, code } = await registered();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    const a = await verify(email, wrong);
    const b = await verify(uniqueEmail("nobody"), wrong);
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(a.body.error).toEqual(b.body.error);
  });

  it("kills the code after 5 wrong attempts", async () => {
    const { email, code } = await registered();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 5; i++) expect((await verify(email, wrong)).body.error.code).toBe("AUTH001");
    const right = await verify(email, code);
    expect(right.status).toBe(401);
    expect(right.body.error.code).toBe("AUTH001");
  });

  it("refuses an expired code", async () => {
    const { email, code, id } = await registered();
    await env.DB.prepare("UPDATE email_verifications SET expires_at = ? WHERE user_id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), id)
      .run();
    expect((await verify(email, code)).body.error.code).toBe("AUTH001");
  });

  it("rejects a malformed code with VAL001", async () => {
    const res = await verify(uniqueEmail(), "12ab56");
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe("code");
  });
});

describe("POST /auth/resend-verification", () => {
  it("answers 202 and sends a new code that replaces the old one", async () => {
    const email = uniqueEmail("resend");
    await register({ email, password: PASSWORD, name: "Rae" });
    const first = await verificationCode(email);
    const res = await call("POST", "/api/v1/auth/resend-verification", {
      body: { email },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(res.status).toBe(202);
    let second = first;
    for (let i = 0; i < 50 && (await listEmails(email)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    second = /\b(\d{6})\b/.exec((await listEmails(email))[0]!.text)![1]!;
    if (second !== first) expect((await verify(email, first)).body.error.code).toBe("AUTH001");
    expect((await verify(email, second)).status).toBe(200);
  });

  it("answers 202 for an unknown email and sends nothing", async () => {
    const email = uniqueEmail("ghost");
    const res = await call("POST", "/api/v1/auth/resend-verification", {
      body: { email },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listEmails(email)).toHaveLength(0);
  });

  it("rejects an invalid email with VAL001", async () => {
    const res = await call("POST", "/api/v1/auth/resend-verification", { body: { email: "nope" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
  });
});

describe("GET /auth/me", () => {
  it("returns the caller", async () => {
    const u = await createUser({ name: "Mia" });
    const res = await call("GET", "/api/v1/auth/me", { token: u.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data.user).toMatchObject({ id: u.user.id, email: u.email, name: "Mia", emailVerified: true });
  });

  it("AUTH004 without credentials or with a malformed header; AUTH002 for a bad token", async () => {
    expect((await call("GET", "/api/v1/auth/me")).body.error.code).toBe("AUTH004");
    expect((await call("GET", "/api/v1/auth/me", { headers: { authorization: "Basic abc" } })).body.error.code).toBe(
      "AUTH004",
    );
    expect((await call("GET", "/api/v1/auth/me", { token: "garbage" })).body.error.code).toBe("AUTH004");
    const bad = await call("GET", "/api/v1/auth/me", { token: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln" });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("AUTH002");
  });
});

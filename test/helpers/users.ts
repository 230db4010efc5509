// Test users made the way a client would: register, read the code from the dev mailbox, verify, log in.
import { env } from "cloudflare:workers";
import { call } from "./http";
import { waitForEmail } from "./mailbox";

export type TestRole = "super_admin" | "admin" | "user" | "viewer";

export interface TestUser {
  user: { id: string; email: string; name: string; role: TestRole; [k: string]: unknown };
  accessToken: string;
  refreshToken: string;
  password: string;
  email: string;
}

let counter = 0;

/** A fresh client IP per call, so per-IP abuse limits of one test never throttle another's setup. */
export function testIp(): string {
  counter += 1;
  return `10.${Math.floor(Math.random() * 250)}.${(counter >> 8) & 255}.${counter & 255}`;
}

export function uniqueEmail(label = "user"): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** The 6-digit code in the newest verification email to `email`. */
export async function verificationCode(email: string): Promise<string> {
  const mail = await waitForEmail({ to: email, subject: "verification code" });
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in the verification email to ${email}`);
  return code;
}

export async function login(email: string, password: string, extra: Record<string, unknown> = {}) {
  return call("POST", "/api/v1/auth/login", {
    body: { email, password, ...extra },
    headers: { "cf-connecting-ip": testIp() },
  });
}

export async function createUser(
  options: { role?: TestRole; email?: string; name?: string; password?: string } = {},
): Promise<TestUser> {
  const email = (options.email ?? uniqueEmail()).toLowerCase();
  const password = options.password ?? `pw-${crypto.randomUUID()}`;
  const name = options.name ?? "Test User";
  const ip = testIp();
  const registered = await call("POST", "/api/v1/auth/register", {
    body: { email, password, name },
    headers: { "cf-connecting-ip": ip },
  });
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const userId: string = registered.body.data.user.id;

  const code = await verificationCode(email);
  const verified = await call("POST", "/api/v1/auth/verify-email", {
    body: { email, code },
    headers: { "cf-connecting-ip": ip },
  });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${JSON.stringify(verified.body)}`);

  // Roles other than the default are granted by admins; tests set them directly.
  if (options.role && options.role !== registered.body.data.user.role) {
    await env.DB.prepare("UPDATE users SET role = ? WHERE id = ?").bind(options.role, userId).run();
  }

  const res = await login(email, password);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    user: res.body.data.user,
    accessToken: res.body.data.accessToken,
    refreshToken: res.body.data.refreshToken,
    password,
    email,
  };
}

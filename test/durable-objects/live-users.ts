// Users for the live tests, made through the API by test/helpers/users.ts (register, verify, log in), so the
// hub's token verification (signature, then session and user in D1) runs against real sessions.
import { expect } from "vitest";
import { call } from "../helpers/http";
import { createUser, login } from "../helpers/users";

export interface LiveUser {
  userId: string;
  accessToken: string;
  email: string;
  password: string;
}

export async function liveUser(): Promise<LiveUser> {
  const { user, accessToken, email, password } = await createUser();
  return { userId: user.id, accessToken, email, password };
}

/** The same user in a second session (another device). */
export async function anotherSession(user: LiveUser): Promise<LiveUser> {
  const res = await login(user.email, user.password);
  expect(res.status).toBe(200);
  return { ...user, accessToken: res.body.data.accessToken };
}

/** Logs the session out, as the user would: its access token must stop opening sockets at once. */
export async function logout(user: LiveUser) {
  const res = await call("POST", "/api/v1/auth/logout", { token: user.accessToken, body: {} });
  expect(res.status).toBeLessThan(300);
}

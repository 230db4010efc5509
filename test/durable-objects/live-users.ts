// Users for the live tests, made through the API by test/helpers/users.ts (register, verify, log in), so the
// hub's token verification (signature, then session and user in D1) runs against real sessions.
import { expect } from "vitest";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";

export interface LiveUser {
  userId: string;
  accessToken: string;
}

export async function liveUser(): Promise<LiveUser> {
  const { user, accessToken } = await createUser();
  return { userId: user.id, accessToken };
}

/** Logs the session out, as the user would: its access token must stop opening sockets at once. */
export async function logout(user: LiveUser) {
  const res = await call("POST", "/api/v1/auth/logout", { token: user.accessToken, body: {} });
  expect(res.status).toBeLessThan(300);
}

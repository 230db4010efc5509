// Users with real access tokens for the live tests: a user and session row in D1 and a token signed by the
// app's own key, so the hub's verification (signature, then session and user in D1) runs for real.
import { env } from "cloudflare:workers";
import { signAccessToken } from "../../src/lib/jwt";
import { newId } from "../../src/lib/ids";

export interface LiveUser {
  userId: string;
  sessionId: string;
  accessToken: string;
}

export async function liveUser(): Promise<LiveUser> {
  const userId = newId("usr");
  const sessionId = newId("ses");
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 86_400_000).toISOString();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO users (id, email, name, password_hash, created_at, updated_at, email_verified_at) VALUES (?, ?, ?, 'unused', ?, ?, ?)",
    ).bind(userId, `${userId.toLowerCase()}@live.test`, "Live Tester", now, now, now),
    env.DB.prepare("INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)").bind(
      sessionId,
      userId,
      now,
      now,
      expires,
    ),
  ]);
  const accessToken = await signAccessToken(env, { sub: userId, sid: sessionId, role: "user" });
  return { userId, sessionId, accessToken };
}

export async function revokeSession(sessionId: string) {
  await env.DB.prepare("UPDATE sessions SET revoked_at = ?, revoked_reason = 'logout' WHERE id = ?")
    .bind(new Date().toISOString(), sessionId)
    .run();
}

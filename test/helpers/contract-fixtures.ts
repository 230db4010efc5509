// Fixtures for the contracts tests: signed-in users (through the API, via createUser) and teams with members written
// straight to D1, so each test sets up exactly the relationship it checks. Only an account whose email is still
// unverified is made directly (the API verifies every user it creates): a real session row + a real JWT.
import { env } from "cloudflare:workers";
import { db } from "../../src/db/client";
import { users } from "../../src/db/schema/identity";
import { teamMembers, teams } from "../../src/db/schema/teams";
import { newSessionStatements } from "../../src/db/sessions";
import { signAccessToken } from "../../src/lib/jwt";
import { newId } from "../../src/lib/ids";
import type { TeamRole } from "../../src/domain/team-roles";
import { createUser } from "./users";

export interface Actor {
  userId: string;
  email: string;
  token: string;
}

let counter = 0;

export async function actor(
  options: { role?: "super_admin" | "admin" | "user" | "viewer"; email?: string; verified?: boolean } = {},
): Promise<Actor> {
  if (options.verified !== false) {
    const made = await createUser({ role: options.role, email: options.email });
    return { userId: made.user.id, email: made.email, token: made.accessToken };
  }
  const userId = newId("usr");
  const email = (options.email ?? `person${++counter}-${userId.slice(4, 10)}@example.com`).toLowerCase();
  const now = new Date();
  const at = now.toISOString();
  const d = db(env.DB);
  const { sessionId, statements } = newSessionStatements(env.DB, { userId, userAgent: "vitest", ip: null }, now);
  await d.batch([
    d.insert(users).values({
      id: userId,
      email,
      name: email.split("@")[0]!,
      passwordHash: "unused-in-these-tests",
      role: options.role ?? "user",
      emailVerifiedAt: null,
      createdAt: at,
      updatedAt: at,
    }),
    ...statements,
  ]);
  const token = await signAccessToken(env, { sub: userId, sid: sessionId, role: options.role ?? "user" });
  return { userId, email, token };
}

export async function team(members: { actor: Actor; role: TeamRole }[]): Promise<string> {
  const id = newId("team");
  const at = new Date().toISOString();
  const d = db(env.DB);
  await d
    .insert(teams)
    .values({ id, name: `Team ${id.slice(-4)}`, createdBy: members[0]!.actor.userId, createdAt: at, updatedAt: at });
  for (const m of members) {
    await d
      .insert(teamMembers)
      .values({ teamId: id, userId: m.actor.userId, role: m.role, createdAt: at, updatedAt: at });
  }
  return id;
}

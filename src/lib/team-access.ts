// What the teams and team-invitations routes share: path params, access guards, and the membership lookup that
// decides visibility (a non-member sees RES001 for a team, a member without the right AUTH003).
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { fail } from "./errors";
import { requireScope } from "./auth";
import { bearerRoute, idParams } from "./openapi";
import { auditRow, requestOrigin, type AuditEntry } from "./audit";
import type { Database } from "../db/client";
import { findTeam, teamRoleOf } from "../db/teams";
import { canReadTeam } from "../domain/team-roles";

export const teamParams = idParams;
export const teamRead = bearerRoute("Teams", requireScope("teams:read"));
export const teamWrite = bearerRoute("Teams", requireScope("teams:write"));

/** The team and the caller's role in it; RES001 when the caller is not a member (a team they may not see). */
export async function teamForMember(database: Database, teamId: string, userId: string) {
  const [team, role] = await Promise.all([findTeam(database, teamId), teamRoleOf(database, teamId, userId)]);
  if (!team || !canReadTeam(role)) throw fail.notFound("Team");
  return { team, role: role! };
}

/** An audit row for the request's batch, with its IP and user agent. */
export function teamAudit(c: Context<AppEnv>, entry: Omit<AuditEntry, "ip" | "userAgent">, now: Date) {
  return auditRow({ ...entry, ...requestOrigin(c) }, now);
}

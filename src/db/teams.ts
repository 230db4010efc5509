// Team queries every module shares: a user's role in a team and the teams they belong to (contracts and templates
// use these for visibility), plus the member and invitation reads of the teams routes.
import { and, asc, count, desc, eq, gt, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { teamInvitations, teamMembers, teams } from "./schema/teams";
import { users } from "./schema/identity";
import { rolesThatMayInvite, type TeamRole } from "../domain/team-roles";

/** The user's role in the team, or null when they are not a member (or the team does not exist). */
export async function teamRoleOf(database: Database, teamId: string, userId: string): Promise<TeamRole | null> {
  const row = await database
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .get();
  return row?.role ?? null;
}

/** Every team the user is a member of (any role). */
export async function teamIdsOf(database: Database, userId: string): Promise<string[]> {
  const rows = await database
    .select({ teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(eq(teamMembers.userId, userId))
    .all();
  return rows.map((r) => r.teamId);
}

/** Teams with the user's role in each, as in teamIdsOf but with the role (e.g. "may edit" = member or above). */
export function teamRolesOf(database: Database, userId: string) {
  return database
    .select({ teamId: teamMembers.teamId, role: teamMembers.role })
    .from(teamMembers)
    .where(eq(teamMembers.userId, userId))
    .all();
}

export function findTeam(database: Database, teamId: string) {
  return database.select().from(teams).where(eq(teams.id, teamId)).get();
}

export async function memberCount(database: Database, teamId: string, role?: TeamRole): Promise<number> {
  const where = role
    ? and(eq(teamMembers.teamId, teamId), eq(teamMembers.role, role))
    : eq(teamMembers.teamId, teamId);
  const row = await database.select({ n: count() }).from(teamMembers).where(where).get();
  return row?.n ?? 0;
}

/** A page of the user's teams, newest first, with their role. */
export async function listTeamsOf(database: Database, userId: string, limit: number, offset: number) {
  const where = eq(teamMembers.userId, userId);
  const [items, total] = await Promise.all([
    database
      .select({ team: teams, role: teamMembers.role })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(where)
      .orderBy(desc(teams.createdAt), asc(teams.id))
      .limit(limit)
      .offset(offset)
      .all(),
    database.select({ n: count() }).from(teamMembers).where(where).get(),
  ]);
  return { items, total: total?.n ?? 0 };
}

export const memberColumns = {
  userId: teamMembers.userId,
  role: teamMembers.role,
  name: users.name,
  email: users.email,
  joinedAt: teamMembers.createdAt,
};

export async function listMembers(database: Database, teamId: string, limit: number, offset: number) {
  const [items, total] = await Promise.all([
    database
      .select(memberColumns)
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(eq(teamMembers.teamId, teamId))
      .orderBy(asc(teamMembers.createdAt), asc(teamMembers.userId))
      .limit(limit)
      .offset(offset)
      .all(),
    memberCount(database, teamId),
  ]);
  return { items, total };
}

export function findMember(database: Database, teamId: string, userId: string) {
  return database
    .select(memberColumns)
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .get();
}

/** Invitations still open for an email in a team (not accepted, revoked or expired). */
export function openInvitation(database: Database, teamId: string, email: string, now: string) {
  return database
    .select()
    .from(teamInvitations)
    .where(
      and(
        eq(teamInvitations.teamId, teamId),
        eq(teamInvitations.email, email),
        isNull(teamInvitations.acceptedAt),
        isNull(teamInvitations.revokedAt),
        gt(teamInvitations.expiresAt, now),
      ),
    )
    .get();
}

export function listOpenInvitations(database: Database, teamId: string, now: string) {
  return database
    .select()
    .from(teamInvitations)
    .where(
      and(
        eq(teamInvitations.teamId, teamId),
        isNull(teamInvitations.acceptedAt),
        isNull(teamInvitations.revokedAt),
        gt(teamInvitations.expiresAt, now),
      ),
    )
    .orderBy(desc(teamInvitations.createdAt))
    .all();
}

export function findInvitationByTokenHash(database: Database, tokenHash: string) {
  return database.select().from(teamInvitations).where(eq(teamInvitations.tokenHash, tokenHash)).get();
}

/**
 * SQL condition: the invitation's inviter still holds a team role that may invite its role and their account is
 * neither suspended nor erased. Checked when the invitation is used (issue 20, kind 3), so an admin removed or
 * demoted after inviting cannot still bring someone in.
 */
export function inviterStillEntitled(invitation: { teamId: string; invitedBy: string; role: TeamRole }): SQL {
  return sql`EXISTS (SELECT 1 FROM ${teamMembers} INNER JOIN ${users} ON ${users.id} = ${teamMembers.userId}
    WHERE ${teamMembers.teamId} = ${invitation.teamId} AND ${teamMembers.userId} = ${invitation.invitedBy}
      AND ${inArray(teamMembers.role, rolesThatMayInvite(invitation.role))}
      AND ${users.suspended} = 0 AND ${users.deletedAt} IS NULL)`;
}

export async function inviterMayStillInvite(
  database: Database,
  invitation: { teamId: string; invitedBy: string; role: TeamRole },
): Promise<boolean> {
  const row = await database.get<{ ok: number }>(sql`SELECT ${inviterStillEntitled(invitation)} AS ok`);
  return row?.ok === 1;
}

// Team queries every module shares: a user's role in a team and the teams they belong to (contracts and templates
// use these for visibility), plus the member and invitation reads of the teams routes.
import { and, asc, count, desc, eq, gt, inArray, isNull, ne, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Database } from "./client";
import { teamInvitations, teamMembers, teams } from "./schema/teams";
import { users } from "./schema/identity";
import { auditLogs } from "./schema/audit";
import { batch, changes, insertWhere, rowExists, statement } from "./guarded-writes";
import { TEAM_ROLES, rolesThatMayInvite, type TeamRole } from "../domain/team-roles";

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
  const where = role ? and(eq(teamMembers.teamId, teamId), eq(teamMembers.role, role)) : eq(teamMembers.teamId, teamId);
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

/** Guard: the user is (still) a member of the team with exactly `role`. */
function memberHolds(teamId: string, userId: string, role: TeamRole): SQL {
  return rowExists(
    teamMembers,
    and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId), eq(teamMembers.role, role)),
  );
}

/** Guard: the team has an owner other than `userId`, so it keeps one when `userId` stops being an owner. */
function anotherOwner(teamId: string, userId: string): SQL {
  return rowExists(
    teamMembers,
    and(eq(teamMembers.teamId, teamId), eq(teamMembers.role, "owner"), ne(teamMembers.userId, userId)),
  );
}

export interface GuardedMemberChange {
  teamId: string;
  /** The acting member and the role the decision was made with; the change needs them to still hold. */
  actorId: string;
  actorRole: TeamRole;
  /** The member changed and the role they had when the decision was made. */
  userId: string;
  from: TeamRole;
}

/**
 * The roles the decision was based on still hold, and — when an owner stops being one — another owner remains.
 * Evaluated inside the write, so two owners demoting or removing each other at once cannot leave the team ownerless.
 */
function memberChangeGuard(change: GuardedMemberChange, stopsBeingOwner: boolean): SQL {
  const guard = and(
    memberHolds(change.teamId, change.actorId, change.actorRole),
    memberHolds(change.teamId, change.userId, change.from),
    stopsBeingOwner ? anotherOwner(change.teamId, change.userId) : undefined,
  );
  return guard!;
}

/**
 * Changes a member's role and writes its audit row, in one batch, only if the guard holds (see memberChangeGuard).
 * @returns false when nothing changed (a concurrent change made the decision stale, or it would leave no owner)
 */
export async function changeMemberRoleGuarded(
  database: Database,
  change: GuardedMemberChange & { to: TeamRole; at: string },
  audit: typeof auditLogs.$inferInsert,
): Promise<boolean> {
  const guard = memberChangeGuard(change, change.from === "owner" && change.to !== "owner");
  return writeMemberIfGuard(
    database,
    audit,
    guard,
    database
      .update(teamMembers)
      .set({ role: change.to, updatedAt: change.at })
      .where(and(eq(teamMembers.teamId, change.teamId), eq(teamMembers.userId, change.userId), guard)),
  );
}

/**
 * Removes a member (or lets one leave) and writes its audit row, in one batch, only if the guard holds.
 * @returns false when nothing was removed (stale decision, or the last owner would go)
 */
export async function removeMemberGuarded(
  database: Database,
  change: GuardedMemberChange,
  audit: typeof auditLogs.$inferInsert,
): Promise<boolean> {
  const guard = memberChangeGuard(change, change.from === "owner");
  return writeMemberIfGuard(
    database,
    audit,
    guard,
    database
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, change.teamId), eq(teamMembers.userId, change.userId), guard)),
  );
}

/**
 * The audit row, then the membership write, in one batch and under the same guard (both see the same state).
 * @returns whether the write changed exactly one membership
 */
async function writeMemberIfGuard(
  database: Database,
  audit: typeof auditLogs.$inferInsert,
  guard: SQL,
  write: Parameters<typeof statement>[1],
): Promise<boolean> {
  const [, written] = await batch(database, [
    insertWhere(database, auditLogs, audit, guard),
    statement(database, write),
  ]);
  return changes(written) === 1;
}

/**
 * SQL condition: the invitation is neither accepted nor revoked — and, given `now` (ISO), not expired either (a
 * statement that revokes or accepts leaves the expiry to its caller's check).
 */
function invitationOpen(now?: string): SQL {
  const open = [isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)];
  return and(...open, ...(now === undefined ? [] : [gt(teamInvitations.expiresAt, now)])) as SQL;
}

/** Invitations still open for an email in a team (not accepted, revoked or expired). */
export function openInvitation(database: Database, teamId: string, email: string, now: string) {
  return database
    .select()
    .from(teamInvitations)
    .where(and(eq(teamInvitations.teamId, teamId), eq(teamInvitations.email, email), invitationOpen(now)))
    .get();
}

/**
 * A team's invitations not yet accepted, revoked or expired, newest first; `inviterEntitled` says whether an accept
 * would still take effect (false once the inviter lost the right to invite that role: listed as what it is).
 */
export async function listOpenInvitations(database: Database, teamId: string, now: string) {
  const rows = await database
    .select({ invitation: teamInvitations, inviterEntitled: sql<number>`${rowInviterStillEntitled()}` })
    .from(teamInvitations)
    .where(and(eq(teamInvitations.teamId, teamId), invitationOpen(now)))
    .orderBy(desc(teamInvitations.createdAt))
    .all();
  return rows.map((r) => ({ ...r.invitation, inviterEntitled: Number(r.inviterEntitled) === 1 }));
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
  return entitledInviter(
    invitation.teamId,
    invitation.invitedBy,
    inArray(teamMembers.role, rolesThatMayInvite(invitation.role)),
  );
}

/** The same condition for each row of a query over team_invitations (the list shows what an accept would decide). */
function rowInviterStillEntitled(): SQL {
  const byRole = TEAM_ROLES.map((role) => {
    const may = rolesThatMayInvite(role);
    return may.length > 0 ? sql`(${teamInvitations.role} = ${role} AND ${inArray(teamMembers.role, may)})` : null;
  }).filter((c): c is SQL => c !== null);
  return entitledInviter(teamInvitations.teamId, teamInvitations.invitedBy, sql`(${sql.join(byRole, sql` OR `)})`);
}

function entitledInviter(teamId: SQLWrapper | string, invitedBy: SQLWrapper | string, roleMayInvite: SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM ${teamMembers} INNER JOIN ${users} ON ${users.id} = ${teamMembers.userId}
    WHERE ${teamMembers.teamId} = ${teamId} AND ${teamMembers.userId} = ${invitedBy}
      AND ${roleMayInvite} AND ${users.suspended} = 0 AND ${users.deletedAt} IS NULL)`;
}

export async function inviterMayStillInvite(
  database: Database,
  invitation: { teamId: string; invitedBy: string; role: TeamRole },
): Promise<boolean> {
  const row = await database.get<{ ok: number }>(sql`SELECT ${inviterStillEntitled(invitation)} AS ok`);
  return row?.ok === 1;
}

export type InvitationRow = typeof teamInvitations.$inferSelect;

/** Revokes the open invitations of an email in a team (a new invitation replaces them). A statement for a batch. */
export function revokeOpenInvitationsOf(database: Database, teamId: string, email: string, at: string) {
  return database
    .update(teamInvitations)
    .set({ revokedAt: at })
    .where(and(eq(teamInvitations.teamId, teamId), eq(teamInvitations.email, email), invitationOpen()));
}

export function insertInvitation(database: Database, invitation: InvitationRow) {
  return database.insert(teamInvitations).values(invitation);
}

/**
 * Revokes the open invitations an account's holder could have sent while its address was unverified: those it sent,
 * and those of the teams it belongs to (an admin it invited may have sent them). A statement for a batch (the claim
 * of an unverified account, src/db/user-data.ts).
 */
export function revokeInvitationsSentFromStatement(database: Database, userId: string, at: string) {
  const itsTeams = database.select({ id: teamMembers.teamId }).from(teamMembers).where(eq(teamMembers.userId, userId));
  return database
    .update(teamInvitations)
    .set({ revokedAt: at })
    .where(and(invitationOpen(), or(eq(teamInvitations.invitedBy, userId), inArray(teamInvitations.teamId, itsTeams))));
}

/** Revokes one invitation if it is still open. A statement for a batch. */
export function revokeInvitationStatement(database: Database, invitationId: string, at: string) {
  return database
    .update(teamInvitations)
    .set({ revokedAt: at })
    .where(and(eq(teamInvitations.id, invitationId), invitationOpen()));
}

/**
 * The two statements of an accept, for one batch: the guarded update (a concurrent second accept of the same token,
 * a revoke, or the inviter losing the right makes it a no-op; it returns the id when it took effect) and the
 * membership insert, which copies from the invitation only if that update took effect.
 */
export function acceptInvitationStatements(
  database: Database,
  invitation: Pick<InvitationRow, "id" | "teamId" | "invitedBy" | "role">,
  userId: string,
  at: string,
) {
  const accept = database
    .update(teamInvitations)
    .set({ acceptedAt: at, acceptedBy: userId })
    .where(
      and(
        eq(teamInvitations.id, invitation.id),
        invitationOpen(),
        // Re-checked in the same statement, so a removal racing this accept cannot slip through.
        inviterStillEntitled(invitation),
      ),
    )
    .returning({ id: teamInvitations.id });
  const join = database
    .insert(teamMembers)
    .select(
      database
        .select({
          teamId: teamInvitations.teamId,
          userId: teamInvitations.acceptedBy,
          role: teamInvitations.role,
          addedBy: teamInvitations.invitedBy,
          createdAt: teamInvitations.acceptedAt,
          updatedAt: teamInvitations.acceptedAt,
        })
        .from(teamInvitations)
        .where(
          and(
            eq(teamInvitations.id, invitation.id),
            eq(teamInvitations.acceptedBy, userId),
            eq(teamInvitations.acceptedAt, at),
          ),
        ),
    )
    .onConflictDoNothing();
  return [accept, join] as const;
}

export type TeamRow = typeof teams.$inferSelect;
type AuditRow = typeof auditLogs.$inferInsert;

/** Creates the team with its creator as owner, and the audit entry, in one batch. */
export async function createTeamWithOwner(database: Database, team: TeamRow, audit: AuditRow): Promise<void> {
  const at = team.createdAt;
  await database.batch([
    database.insert(teams).values(team),
    database.insert(teamMembers).values({
      teamId: team.id,
      userId: team.createdBy,
      role: "owner",
      addedBy: team.createdBy,
      createdAt: at,
      updatedAt: at,
    }),
    database.insert(auditLogs).values(audit),
  ]);
}

export async function updateTeam(
  database: Database,
  teamId: string,
  changes: Partial<Pick<TeamRow, "name" | "description">> & { updatedAt: string },
  audit: AuditRow,
): Promise<void> {
  await database.batch([
    database.update(teams).set(changes).where(eq(teams.id, teamId)),
    database.insert(auditLogs).values(audit),
  ]);
}

/** Deletes the team, its members and invitations explicitly (not by ON DELETE CASCADE alone: the batch says what goes). */
export async function deleteTeam(database: Database, teamId: string, audit: AuditRow): Promise<void> {
  await database.batch([
    database.delete(teamInvitations).where(eq(teamInvitations.teamId, teamId)),
    database.delete(teamMembers).where(eq(teamMembers.teamId, teamId)),
    database.delete(teams).where(eq(teams.id, teamId)),
    database.insert(auditLogs).values(audit),
  ]);
}

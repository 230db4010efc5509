// /teams: teams, their members (owner|admin|member|viewer) and email invitations. Who may do what is decided by
// src/domain/team-roles.ts; a non-member sees RES001 for a team, a member without the right AUTH003.
// Joining is always by invitation, accepted by the logged-in user whose verified email it was sent to
// (POST /teams/invitations/{token}/accept), so nobody is put in a team without consenting.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, isoDate, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireAuth, requireScope } from "../lib/auth";
import { auditInsert, requestOrigin, type AuditEntry } from "../lib/audit";
import { newId } from "../lib/ids";
import { newOpaqueSecret, hashOpaqueSecret } from "../lib/tokens";
import { sendEmail } from "../lib/email";
import { db, type Database } from "../db/client";
import { teamInvitations, teamMembers, teams } from "../db/schema/teams";
import { users } from "../db/schema/identity";
import {
  findInvitationByTokenHash,
  findMember,
  findTeam,
  listMembers,
  listOpenInvitations,
  listTeamsOf,
  memberCount,
  openInvitation,
  teamRoleOf,
} from "../db/teams";
import {
  TEAM_ROLES,
  atLeast,
  canDeleteTeam,
  canInvite,
  canReadTeam,
  canUpdateTeam,
  checkRemoval,
  checkRoleChange,
  type TeamRole,
} from "../domain/team-roles";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const teamSchema = z
  .object({
    id: z.string().openapi({ example: "team_7hJk2LmN4pQr6StU8vWx" }),
    name: z.string(),
    description: z.string().nullable(),
    createdBy: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
    role: z.enum(TEAM_ROLES).openapi({ description: "the caller's role in the team" }),
  })
  .openapi("Team");
const teamDetailSchema = teamSchema.extend({ memberCount: z.number().int() }).openapi("TeamDetail");

const memberSchema = z
  .object({ userId: z.string(), name: z.string(), email: z.string(), role: z.enum(TEAM_ROLES), joinedAt: isoDate })
  .openapi("TeamMember");

const invitationSchema = z
  .object({
    id: z.string(),
    teamId: z.string(),
    email: z.string(),
    role: z.enum(TEAM_ROLES),
    status: z.literal("pending"),
    invitedBy: z.string(),
    createdAt: isoDate,
    expiresAt: isoDate,
  })
  .openapi("TeamInvitation");

const teamBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(1000).nullable().optional(),
  })
  .openapi("TeamInput");
const teamUpdateBody = teamBody
  .partial()
  .refine((b) => b.name !== undefined || b.description !== undefined, "give name or description")
  .openapi("TeamUpdate");
const inviteBody = z
  .object({ email: z.email().max(254), role: z.enum(TEAM_ROLES).default("member") })
  .openapi("TeamInvite");
const roleBody = z.object({ role: z.enum(TEAM_ROLES) }).openapi("TeamRoleChange");

const pathParam = (name: string) => z.string().min(1).max(64).openapi({ param: { name, in: "path" } });
const teamParams = z.object({ id: pathParam("id") });
const memberParams = z.object({ id: pathParam("id"), userId: pathParam("userId") });
const tokenParams = z.object({ token: z.string().min(20).max(100).openapi({ param: { name: "token", in: "path" } }) });

const tags = ["Teams"];
const security = [{ bearer: [] }];
const read = { tags, security, middleware: [requireScope("teams:read")] };
const write = { tags, security, middleware: [requireScope("teams:write")] };

type TeamRow = typeof teams.$inferSelect;
const teamView = (team: TeamRow, role: TeamRole) => ({
  id: team.id,
  name: team.name,
  description: team.description,
  createdBy: team.createdBy,
  createdAt: team.createdAt,
  updatedAt: team.updatedAt,
  role,
});
type InvitationRow = typeof teamInvitations.$inferSelect;
const invitationView = (i: InvitationRow) => ({
  id: i.id,
  teamId: i.teamId,
  email: i.email,
  role: i.role,
  status: "pending" as const,
  invitedBy: i.invitedBy,
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
});

/** The team and the caller's role in it; RES001 when the caller is not a member (a team they may not see). */
async function teamForMember(database: Database, teamId: string, userId: string) {
  const [team, role] = await Promise.all([findTeam(database, teamId), teamRoleOf(database, teamId, userId)]);
  if (!team || !canReadTeam(role)) throw fail.notFound("Team");
  return { team, role: role! };
}

function audit(c: Context<AppEnv>, entry: Omit<AuditEntry, "ip" | "userAgent">, now: Date) {
  return auditInsert(c.env, { ...entry, ...requestOrigin(c) }, now);
}

const createTeamRoute = createRoute({
  ...write,
  method: "post",
  path: "/teams",
  summary: "Create a team (the caller becomes its owner)",
  request: { body: jsonBody(teamBody) },
  responses: { 201: jsonContent(envelope(teamSchema), "created"), ...errorResponses("AUTH003", "AUTH004") },
});

const listTeamsRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams",
  summary: "The teams the caller belongs to",
  request: { query: pageQuery },
  responses: { 200: jsonContent(listEnvelope(teamSchema), "teams, newest first"), ...errorResponses("AUTH003", "AUTH004") },
});

const getTeamRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams/{id}",
  summary: "A team the caller belongs to",
  request: { params: teamParams },
  responses: { 200: jsonContent(envelope(teamDetailSchema), "the team"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});

const updateTeamRoute = createRoute({
  ...write,
  method: "put",
  path: "/teams/{id}",
  summary: "Rename or describe a team (owners and admins)",
  request: { params: teamParams, body: jsonBody(teamUpdateBody) },
  responses: { 200: jsonContent(envelope(teamSchema), "updated"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});

const deleteTeamRoute = createRoute({
  ...write,
  method: "delete",
  path: "/teams/{id}",
  summary: "Delete a team with its memberships and invitations (owners)",
  request: { params: teamParams },
  responses: {
    200: jsonContent(envelope(z.object({ id: z.string(), deleted: z.literal(true) })), "deleted"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const listMembersRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams/{id}/members",
  summary: "Members of a team",
  request: { params: teamParams, query: pageQuery },
  responses: { 200: jsonContent(listEnvelope(memberSchema), "members, oldest first"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});

const inviteRoute = createRoute({
  ...write,
  method: "post",
  path: "/teams/{id}/members",
  summary: "Invite someone by email (they may not have an account yet)",
  description:
    "Emails a single-use invitation (7 days). Inviting an address that already has an open invitation replaces it " +
    "(the old link stops working). Owners may invite any role, admins up to `member`.",
  request: { params: teamParams, body: jsonBody(inviteBody) },
  responses: {
    201: jsonContent(envelope(invitationSchema), "invitation sent"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});

const changeRoleRoute = createRoute({
  ...write,
  method: "put",
  path: "/teams/{id}/members/{userId}",
  summary: "Change a member's role",
  request: { params: memberParams, body: jsonBody(roleBody) },
  responses: {
    200: jsonContent(envelope(memberSchema), "updated"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});

const removeMemberRoute = createRoute({
  ...write,
  method: "delete",
  path: "/teams/{id}/members/{userId}",
  summary: "Remove a member, or leave the team (your own user id)",
  request: { params: memberParams },
  responses: {
    200: jsonContent(envelope(z.object({ teamId: z.string(), userId: z.string(), removed: z.literal(true) })), "removed"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});

const listInvitationsRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams/{id}/invitations",
  summary: "Open invitations of a team (owners and admins)",
  request: { params: teamParams },
  responses: {
    200: jsonContent(envelope(z.array(invitationSchema)), "pending invitations, newest first"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const revokeInvitationRoute = createRoute({
  ...write,
  method: "delete",
  path: "/teams/{id}/invitations/{invitationId}",
  summary: "Revoke an open invitation (owners and admins); its link stops working",
  request: { params: z.object({ id: pathParam("id"), invitationId: pathParam("invitationId") }) },
  responses: {
    200: jsonContent(envelope(z.object({ id: z.string(), revoked: z.literal(true) })), "revoked"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

const acceptRoute = createRoute({
  tags,
  security,
  middleware: [requireAuth()],
  method: "post",
  path: "/teams/invitations/{token}/accept",
  summary: "Accept an invitation (the logged-in user whose verified email it was sent to)",
  request: { params: tokenParams },
  responses: {
    200: jsonContent(envelope(memberSchema.extend({ teamId: z.string() })), "joined"),
    ...errorResponses("AUTH003", "AUTH004", "AUTH006", "RES001", "RES002"),
  },
});

export const teamRoutes = createRouter()
  .openapi(createTeamRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const database = db(c.env.DB);
    const now = new Date();
    const at = now.toISOString();
    const team: TeamRow = {
      id: newId("team"),
      name: body.name,
      description: body.description ?? null,
      createdBy: principal.userId,
      createdAt: at,
      updatedAt: at,
    };
    await database.batch([
      database.insert(teams).values(team),
      database
        .insert(teamMembers)
        .values({ teamId: team.id, userId: principal.userId, role: "owner", addedBy: principal.userId, createdAt: at, updatedAt: at }),
      audit(c, { action: "team.created", actorId: principal.userId, resourceType: "team", resourceId: team.id, data: { name: team.name } }, now),
    ]);
    return ok(c, teamView(team, "owner"), 201);
  })
  .openapi(listTeamsRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { items, total } = await listTeamsOf(db(c.env.DB), principal.userId, limit, offset);
    return paginated(c, items.map((i) => teamView(i.team, i.role)), query, total);
  })
  .openapi(getTeamRoute, async (c) => {
    const principal = principalOf(c);
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    return ok(c, { ...teamView(team, role), memberCount: await memberCount(database, team.id) });
  })
  .openapi(updateTeamRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!canUpdateTeam(role)) throw fail.forbidden("Only the team's owners and admins can change it");
    const now = new Date();
    const changes = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      updatedAt: now.toISOString(),
    };
    await database.batch([
      database.update(teams).set(changes).where(eq(teams.id, team.id)),
      audit(c, { action: "team.updated", actorId: principal.userId, resourceType: "team", resourceId: team.id, data: { fields: Object.keys(changes).filter((k) => k !== "updatedAt") } }, now),
    ]);
    return ok(c, teamView({ ...team, ...changes }, role));
  })
  .openapi(deleteTeamRoute, async (c) => {
    const principal = principalOf(c);
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!canDeleteTeam(role)) throw fail.forbidden("Only the team's owners can delete it");
    const now = new Date();
    // Explicit deletes rather than relying on ON DELETE CASCADE alone, so the batch says what goes.
    await database.batch([
      database.delete(teamInvitations).where(eq(teamInvitations.teamId, team.id)),
      database.delete(teamMembers).where(eq(teamMembers.teamId, team.id)),
      database.delete(teams).where(eq(teams.id, team.id)),
      audit(c, { action: "team.deleted", actorId: principal.userId, resourceType: "team", resourceId: team.id, data: { name: team.name } }, now),
    ]);
    return ok(c, { id: team.id, deleted: true as const });
  })
  .openapi(listMembersRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const database = db(c.env.DB);
    const { team } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    const { limit, offset } = pageWindow(query);
    const { items, total } = await listMembers(database, team.id, limit, offset);
    return paginated(c, items, query, total);
  })
  .openapi(inviteRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const email = body.email.trim().toLowerCase();
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!canInvite(role, body.role)) {
      throw fail.forbidden(role === "admin" ? "Team admins can invite members and viewers only" : "Only owners and admins can invite");
    }
    const existingUser = await database.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
    if (existingUser && (await teamRoleOf(database, team.id, existingUser.id))) {
      throw fail.conflict("This person is already a member of the team");
    }
    const inviter = await database.select({ name: users.name }).from(users).where(eq(users.id, principal.userId)).get();
    const now = new Date();
    const previous = await openInvitation(database, team.id, email, now.toISOString());
    const { secret: token, hash } = newOpaqueSecret("");
    const invitation: InvitationRow = {
      id: newId("inv"),
      teamId: team.id,
      email,
      role: body.role,
      tokenHash: hash,
      invitedBy: principal.userId,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
      acceptedAt: null,
      acceptedBy: null,
      revokedAt: null,
    };
    await database.batch([
      database
        .update(teamInvitations)
        .set({ revokedAt: now.toISOString() })
        .where(and(eq(teamInvitations.teamId, team.id), eq(teamInvitations.email, email), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt))),
      database.insert(teamInvitations).values(invitation),
      audit(c, {
        action: "team.member.invited",
        actorId: principal.userId,
        resourceType: "team",
        resourceId: team.id,
        data: { invitationId: invitation.id, email, role: body.role, replaced: previous?.id ?? null },
      }, now),
    ]);
    await sendEmail(c.env, {
      to: email,
      template: "team-invitation",
      data: { teamName: team.name, inviterName: inviter?.name ?? "A teammate", role: body.role, token, expiresAt: invitation.expiresAt },
      userId: existingUser?.id ?? null,
    });
    return ok(c, invitationView(invitation), 201);
  })
  .openapi(changeRoleRoute, async (c) => {
    const principal = principalOf(c);
    const { id, userId } = c.req.valid("param");
    const { role: to } = c.req.valid("json");
    const database = db(c.env.DB);
    const { team, role: actor } = await teamForMember(database, id, principal.userId);
    const target = await findMember(database, team.id, userId);
    if (!target) throw fail.notFound("Team member");
    if (target.role === to) return ok(c, target);
    const verdict = checkRoleChange({ actor, from: target.role, to, ownerCount: await memberCount(database, team.id, "owner") });
    if (verdict === "forbidden") throw fail.forbidden("Your team role does not allow this change");
    if (verdict === "last_owner") throw fail.conflict("A team needs an owner: make someone else owner first");
    const now = new Date();
    await database.batch([
      database
        .update(teamMembers)
        .set({ role: to, updatedAt: now.toISOString() })
        .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, userId))),
      audit(c, { action: "team.member.role_changed", actorId: principal.userId, resourceType: "team", resourceId: team.id, data: { userId, from: target.role, to } }, now),
    ]);
    return ok(c, { ...target, role: to });
  })
  .openapi(removeMemberRoute, async (c) => {
    const principal = principalOf(c);
    const { id, userId } = c.req.valid("param");
    const database = db(c.env.DB);
    const { team, role: actor } = await teamForMember(database, id, principal.userId);
    const target = await findMember(database, team.id, userId);
    if (!target) throw fail.notFound("Team member");
    const verdict = checkRemoval({
      actor,
      targetRole: target.role,
      self: userId === principal.userId,
      ownerCount: await memberCount(database, team.id, "owner"),
    });
    if (verdict === "forbidden") throw fail.forbidden("Your team role does not allow removing this member");
    if (verdict === "last_owner") throw fail.conflict("The last owner cannot leave: make someone else owner or delete the team");
    const now = new Date();
    await database.batch([
      database.delete(teamMembers).where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, userId))),
      audit(c, {
        action: userId === principal.userId ? "team.member.left" : "team.member.removed",
        actorId: principal.userId,
        resourceType: "team",
        resourceId: team.id,
        data: { userId, role: target.role },
      }, now),
    ]);
    return ok(c, { teamId: team.id, userId, removed: true as const });
  })
  .openapi(listInvitationsRoute, async (c) => {
    const principal = principalOf(c);
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!atLeast(role, "admin")) throw fail.forbidden("Only the team's owners and admins see its invitations");
    const open = await listOpenInvitations(database, team.id, new Date().toISOString());
    return ok(c, open.map(invitationView));
  })
  .openapi(revokeInvitationRoute, async (c) => {
    const principal = principalOf(c);
    const { id, invitationId } = c.req.valid("param");
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, id, principal.userId);
    if (!atLeast(role, "admin")) throw fail.forbidden("Only the team's owners and admins revoke invitations");
    const now = new Date();
    const open = (await listOpenInvitations(database, team.id, now.toISOString())).find((i) => i.id === invitationId);
    if (!open) throw fail.notFound("Invitation");
    await database.batch([
      database
        .update(teamInvitations)
        .set({ revokedAt: now.toISOString() })
        .where(and(eq(teamInvitations.id, invitationId), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt))),
      audit(c, { action: "team.invitation.revoked", actorId: principal.userId, resourceType: "team", resourceId: team.id, data: { invitationId, email: open.email } }, now),
    ]);
    return ok(c, { id: invitationId, revoked: true as const });
  })
  .openapi(acceptRoute, async (c) => {
    const principal = principalOf(c);
    if (principal.apiKeyId) throw fail.forbidden("Accept invitations with a user session, not an API key");
    const database = db(c.env.DB);
    const invitation = await findInvitationByTokenHash(database, hashOpaqueSecret(c.req.valid("param").token));
    if (!invitation) throw fail.notFound("Invitation");
    const now = new Date();
    if (invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= now.toISOString()) {
      throw fail.conflict("This invitation is no longer valid; ask for a new one", {
        reason: invitation.acceptedAt ? "accepted" : invitation.revokedAt ? "revoked" : "expired",
      });
    }
    const user = await database
      .select({ email: users.email, emailVerifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(eq(users.id, principal.userId))
      .get();
    if (!user || user.email !== invitation.email) throw fail.forbidden("This invitation was sent to another email address");
    if (!user.emailVerifiedAt) throw new ApiError("AUTH006", "Verify your email address before joining a team");
    if (await teamRoleOf(database, invitation.teamId, principal.userId)) throw fail.conflict("You are already a member of this team");
    const at = now.toISOString();
    // The guarded update makes a concurrent second accept of the same token a no-op.
    const [accepted] = await database.batch([
      database
        .update(teamInvitations)
        .set({ acceptedAt: at, acceptedBy: principal.userId })
        .where(and(eq(teamInvitations.id, invitation.id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)))
        .returning({ id: teamInvitations.id }),
      // Inserted only if the update above took effect (same batch), so a revoked or raced invitation adds nobody.
      database
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
            .where(and(eq(teamInvitations.id, invitation.id), eq(teamInvitations.acceptedBy, principal.userId), eq(teamInvitations.acceptedAt, at))),
        )
        .onConflictDoNothing(),
      audit(c, {
        action: "team.member.joined",
        actorId: principal.userId,
        resourceType: "team",
        resourceId: invitation.teamId,
        data: { invitationId: invitation.id, role: invitation.role },
      }, now),
    ]);
    if (accepted.length === 0) throw fail.conflict("This invitation is no longer valid; ask for a new one");
    const member = await findMember(database, invitation.teamId, principal.userId);
    if (!member) throw fail.notFound("Team");
    return ok(c, { ...member, teamId: invitation.teamId });
  });

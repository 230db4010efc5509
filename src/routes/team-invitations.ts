// Team invitations by email: invite (POST /teams/{id}/members), list and revoke open ones, and accept. The invitee
// may have no account yet; joining is always by accepting, as the logged-in user whose verified email it was
// sent to (POST /teams/invitations/{token}/accept), so nobody is put in a team without consenting.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, isoDate, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireSession } from "../lib/auth";
import { newId } from "../lib/ids";
import { newOpaqueSecret, hashOpaqueSecret } from "../lib/tokens";
import { sendEmail } from "../lib/email";
import { findVerifiedUserByEmail } from "../db/users";
import { db } from "../db/client";
import { teamInvitations, teamMembers } from "../db/schema/teams";
import { users } from "../db/schema/identity";
import {
  findInvitationByTokenHash,
  findMember,
  inviterMayStillInvite,
  inviterStillEntitled,
  listOpenInvitations,
  openInvitation,
  teamRoleOf,
} from "../db/teams";
import { TEAM_ROLES, atLeast, canInvite } from "../domain/team-roles";
import { memberSchema } from "../schemas/teams";
import { bearer, pathParam, teamAudit as audit, teamForMember, teamParams, teamTags as tags, teamWrite as write, teamRead as read } from "../lib/team-access";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

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

const inviteBody = z
  .object({ email: z.email().max(254), role: z.enum(TEAM_ROLES).default("member") })
  .openapi("TeamInvite");
const tokenParams = z.object({ token: z.string().min(20).max(100).openapi({ param: { name: "token", in: "path" } }) });

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
  security: bearer,
  middleware: [requireSession()],
  method: "post",
  path: "/teams/invitations/{token}/accept",
  summary: "Accept an invitation (the logged-in user whose verified email it was sent to)",
  request: { params: tokenParams },
  responses: {
    200: jsonContent(envelope(memberSchema.extend({ teamId: z.string() })), "joined"),
    ...errorResponses("AUTH003", "AUTH004", "AUTH006", "RES001", "RES002"),
  },
});

export const teamInvitationRoutes = createRouter()
  .openapi(inviteRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const email = body.email.trim().toLowerCase();
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!canInvite(role, body.role)) {
      throw fail.forbidden(role === "admin" ? "Team admins can invite members and viewers only" : "Only owners and admins can invite");
    }
    // Whoever merely registered the address is nobody yet: only a verified account is "already a member".
    const existingUser = await findVerifiedUserByEmail(c.env.DB, email);
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
      onBehalfOf: principal.userId,
    });
    return ok(c, invitationView(invitation), 201);
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
    if (!(await inviterMayStillInvite(database, invitation))) {
      throw fail.conflict(
        "The person who invited you may no longer invite to this team; ask an owner or admin to invite you again",
        { reason: "inviter_lost_right" },
      );
    }
    const at = now.toISOString();
    // The guarded update makes a concurrent second accept of the same token a no-op.
    const [accepted] = await database.batch([
      database
        .update(teamInvitations)
        .set({ acceptedAt: at, acceptedBy: principal.userId })
        .where(
          and(
            eq(teamInvitations.id, invitation.id),
            isNull(teamInvitations.acceptedAt),
            isNull(teamInvitations.revokedAt),
            // Re-checked in the same statement, so a removal racing this accept cannot slip through.
            inviterStillEntitled(invitation),
          ),
        )
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

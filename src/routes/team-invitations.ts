// Team invitations by email: invite (POST /teams/{id}/members), list and revoke open ones, and accept. The invitee
// may have no account yet; joining is always by accepting, as the logged-in user whose verified email it was
// sent to (POST /teams/invitations/{token}/accept), so nobody is put in a team without consenting.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, isoDate, jsonBody, pathParam, revokedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { principalOf, requireSession } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { listOpenInvitations, type InvitationRow } from "../db/teams";
import { TEAM_ROLES, atLeast } from "../domain/team-roles";
import { inviteBody, inviteMember } from "../services/teams/invite-member";
import { revokeInvitation } from "../services/teams/revoke-invitation";
import { acceptInvitation } from "../services/teams/accept-invitation";
import { memberSchema } from "../schemas/teams";
import { teamForMember, teamParams, teamWrite as write, teamRead as read } from "../lib/team-access";
import { viewPicker } from "../lib/view";

const invitationSchema = z
  .object({
    id: z.string(),
    teamId: z.string(),
    email: z.string(),
    role: z.enum(TEAM_ROLES),
    status: z.enum(["pending", "inviter_lost_right"]).openapi({
      description:
        "`pending`: can be accepted; `inviter_lost_right`: the person who sent it may no longer invite this role " +
        "(removed, demoted, suspended), so accepting it is refused (RES002) — revoke it or invite again",
    }),
    invitedBy: z.string(),
    createdAt: isoDate,
    expiresAt: isoDate,
  })
  .openapi("TeamInvitation");

const tokenParams = z.object({
  token: z
    .string()
    .min(20)
    .max(100)
    .openapi({ param: { name: "token", in: "path" } }),
});

const invitationFields = viewPicker(invitationSchema);
const invitationView = (i: InvitationRow, inviterEntitled = true) =>
  invitationFields({ ...i, status: inviterEntitled ? ("pending" as const) : ("inviter_lost_right" as const) });

const inviteRoute = createRoute({
  ...write,
  method: "post",
  path: "/teams/{id}/members",
  summary: "Invite someone by email (they may not have an account yet)",
  description:
    "Emails a single-use invitation (7 days). Inviting an address that already has an open invitation replaces it " +
    "(the old link stops working). Owners may invite any role, admins up to `member`.",
  request: { params: teamParams, body: jsonBody(inviteBody) },
  responses: answers(201, envelope(invitationSchema), "invitation sent", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const listInvitationsRoute = createRoute({
  ...read,
  method: "get",
  path: "/teams/{id}/invitations",
  summary: "Open invitations of a team (owners and admins), each with whether it can still be accepted",
  request: { params: teamParams },
  responses: answers(
    200,
    envelope(z.array(invitationSchema)),
    "pending invitations, newest first",
    "AUTH003",
    "AUTH004",
    "RES001",
  ),
});

const revokeInvitationRoute = createRoute({
  ...write,
  method: "delete",
  path: "/teams/{id}/invitations/{invitationId}",
  summary: "Revoke an open invitation (owners and admins); its link stops working",
  request: { params: z.object({ id: pathParam("id"), invitationId: pathParam("invitationId") }) },
  responses: answers(200, envelope(revokedSchema), "revoked", "AUTH003", "AUTH004", "RES001"),
});

const acceptRoute = createRoute({
  ...bearerRoute("Teams", requireSession()),
  method: "post",
  path: "/teams/invitations/{token}/accept",
  summary: "Accept an invitation (the logged-in user whose verified email it was sent to)",
  request: { params: tokenParams },
  responses: answers(
    200,
    envelope(memberSchema.extend({ teamId: z.string() })),
    "joined",
    "AUTH003",
    "AUTH004",
    "AUTH006",
    "RES001",
    "RES002",
  ),
});

export const teamInvitationRoutes = createRouter()
  .openapi(inviteRoute, async (c) => {
    const principal = principalOf(c);
    const { team, role } = await teamForMember(db(c.env.DB), c.req.valid("param").id, principal.userId);
    const actor = { userId: principal.userId, role, ...requestOrigin(c) };
    const invitation = await inviteMember(c.env, actor, team, c.req.valid("json"));
    return ok(c, invitationView(invitation), 201);
  })
  .openapi(listInvitationsRoute, async (c) => {
    const principal = principalOf(c);
    const database = db(c.env.DB);
    const { team, role } = await teamForMember(database, c.req.valid("param").id, principal.userId);
    if (!atLeast(role, "admin")) throw fail.forbidden("Only the team's owners and admins see its invitations");
    const open = await listOpenInvitations(database, team.id, new Date().toISOString());
    return ok(
      c,
      open.map((i) => invitationView(i, i.inviterEntitled)),
    );
  })
  .openapi(revokeInvitationRoute, async (c) => {
    const principal = principalOf(c);
    const { id, invitationId } = c.req.valid("param");
    const { team, role } = await teamForMember(db(c.env.DB), id, principal.userId);
    const actor = { userId: principal.userId, role, ...requestOrigin(c) };
    return ok(c, await revokeInvitation(c.env, actor, team.id, invitationId));
  })
  .openapi(acceptRoute, async (c) => {
    const actor = { userId: principalOf(c).userId, ...requestOrigin(c) };
    return ok(c, await acceptInvitation(c.env, actor, c.req.valid("param").token));
  });

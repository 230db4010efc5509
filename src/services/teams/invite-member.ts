// Inviting someone to a team by email: the team-role rules decide who may invite which role; a new invitation
// replaces the open one for that address; the invitee may have no account yet and joins only by accepting.
import { z } from "@hono/zod-openapi";
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { findUserById, findVerifiedUserByEmail } from "../../db/users";
import {
  insertInvitation,
  openInvitation,
  revokeOpenInvitationsOf,
  teamRoleOf,
  type InvitationRow,
} from "../../db/teams";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { newOpaqueSecret } from "../../lib/tokens";
import { sendEmail } from "../../lib/email";
import { TEAM_ROLES, canInvite } from "../../domain/team-roles";
import type { TeamActor } from "./change-member-role";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const inviteBody = z
  .object({ email: z.email().max(254), role: z.enum(TEAM_ROLES).default("member") })
  .openapi("TeamInvite");
export type InviteMemberInput = z.infer<typeof inviteBody>;

/**
 * Emails a single-use invitation (7 days) to `input.email` for the team.
 * @returns the invitation row (its token is only in the email)
 * @throws AUTH003 when the actor's team role may not invite that role; RES002 when a verified account of that
 *   address is already a member
 */
export async function inviteMember(
  env: Bindings,
  actor: TeamActor,
  team: { id: string; name: string },
  input: InviteMemberInput,
): Promise<InvitationRow> {
  const email = input.email.trim().toLowerCase();
  const database = db(env.DB);
  if (!canInvite(actor.role, input.role)) {
    const why =
      actor.role === "admin" ? "Team admins can invite members and viewers only" : "Only owners and admins can invite";
    throw fail.forbidden(why);
  }
  // Whoever merely registered the address is nobody yet: only a verified account is "already a member".
  const existingUser = await findVerifiedUserByEmail(env.DB, email);
  if (existingUser && (await teamRoleOf(database, team.id, existingUser.id))) {
    throw fail.conflict("This person is already a member of the team");
  }
  const inviter = await findUserById(env.DB, actor.userId);
  const now = new Date();
  const previous = await openInvitation(database, team.id, email, now.toISOString());
  const { secret: token, hash } = newOpaqueSecret("");
  const invitation: InvitationRow = {
    id: newId("inv"),
    teamId: team.id,
    email,
    role: input.role,
    tokenHash: hash,
    invitedBy: actor.userId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
    acceptedAt: null,
    acceptedBy: null,
    revokedAt: null,
  };
  await database.batch([
    revokeOpenInvitationsOf(database, team.id, email, now.toISOString()),
    insertInvitation(database, invitation),
    auditInsert(
      env,
      {
        action: "team.member.invited",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "team",
        resourceId: team.id,
        data: { invitationId: invitation.id, email, role: input.role, replaced: previous?.id ?? null },
      },
      now,
    ),
  ]);
  await sendEmail(env, {
    to: email,
    template: "team-invitation",
    data: {
      teamName: team.name,
      inviterName: inviter?.name ?? "A teammate",
      role: input.role,
      token,
      expiresAt: invitation.expiresAt,
    },
    userId: existingUser?.id ?? null,
    onBehalfOf: actor.userId,
  });
  return invitation;
}

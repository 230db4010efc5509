// Accepting a team invitation: only the logged-in user whose verified email it was sent to, only while it is open
// and its inviter may still invite; membership and acceptance are written together, guarded against races.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { findUserById } from "../../db/users";
import {
  acceptInvitationStatements,
  findInvitationByTokenHash,
  findMember,
  inviterMayStillInvite,
  teamRoleOf,
} from "../../db/teams";
import { auditInsert } from "../../lib/audit";
import { ApiError, fail } from "../../lib/errors";
import { hashOpaqueSecret } from "../../lib/tokens";

/**
 * @param actor the accepting user and the request's origin (for the audit)
 * @param token the invitation's secret from the email link
 * @returns the new member and its team id
 * @throws RES001 unknown token; RES002 no longer open, already a member, or the inviter lost the right;
 *   AUTH003 sent to another address; AUTH006 the caller's email is not verified
 */
export async function acceptInvitation(
  env: Bindings,
  actor: { userId: string; ip: string | null; userAgent: string | null },
  token: string,
) {
  const database = db(env.DB);
  const invitation = await findInvitationByTokenHash(database, hashOpaqueSecret(token));
  if (!invitation) throw fail.notFound("Invitation");
  const now = new Date();
  if (invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= now.toISOString()) {
    throw fail.conflict("This invitation is no longer valid; ask for a new one", {
      reason: invitation.acceptedAt ? "accepted" : invitation.revokedAt ? "revoked" : "expired",
    });
  }
  const user = await findUserById(env.DB, actor.userId);
  if (!user || user.email !== invitation.email)
    throw fail.forbidden("This invitation was sent to another email address");
  if (!user.emailVerifiedAt) throw new ApiError("AUTH006", "Verify your email address before joining a team");
  if (await teamRoleOf(database, invitation.teamId, actor.userId))
    throw fail.conflict("You are already a member of this team");
  if (!(await inviterMayStillInvite(database, invitation))) {
    throw fail.conflict(
      "The person who invited you may no longer invite to this team; ask an owner or admin to invite you again",
      { reason: "inviter_lost_right" },
    );
  }
  const at = now.toISOString();
  const [accept, join] = acceptInvitationStatements(database, invitation, actor.userId, at);
  const [accepted] = await database.batch([
    accept,
    join,
    auditInsert(
      env,
      {
        action: "team.member.joined",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "team",
        resourceId: invitation.teamId,
        data: { invitationId: invitation.id, role: invitation.role },
      },
      now,
    ),
  ]);
  if (accepted.length === 0) throw fail.conflict("This invitation is no longer valid; ask for a new one");
  const member = await findMember(database, invitation.teamId, actor.userId);
  if (!member) throw fail.notFound("Team");
  return { ...member, teamId: invitation.teamId };
}

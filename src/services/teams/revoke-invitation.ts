// Revoking an open team invitation: owners and admins only; its link stops working.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { listOpenInvitations, revokeInvitationStatement } from "../../db/teams";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { atLeast } from "../../domain/team-roles";
import type { TeamActor } from "./change-member-role";

/**
 * @returns `{ id, revoked: true }`
 * @throws AUTH003 below team admin; RES001 when the invitation is not open in this team
 */
export async function revokeInvitation(env: Bindings, actor: TeamActor, teamId: string, invitationId: string) {
  if (!atLeast(actor.role, "admin")) throw fail.forbidden("Only the team's owners and admins revoke invitations");
  const database = db(env.DB);
  const now = new Date();
  const open = (await listOpenInvitations(database, teamId, now.toISOString())).find((i) => i.id === invitationId);
  if (!open) throw fail.notFound("Invitation");
  await database.batch([
    revokeInvitationStatement(database, invitationId, now.toISOString()),
    auditInsert(
      env,
      {
        action: "team.invitation.revoked",
        actorId: actor.userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        resourceType: "team",
        resourceId: teamId,
        data: { invitationId, email: open.email },
      },
      now,
    ),
  ]);
  return { id: invitationId, revoked: true as const };
}

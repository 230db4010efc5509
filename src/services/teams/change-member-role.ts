// Changing a team member's role: the team-role rules decide, and one guarded write applies the decision only if the
// roles it was based on still hold and the team keeps an owner (issue 11.7: no read-then-write).
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { changeMemberRoleGuarded, findMember, memberCount } from "../../db/teams";
import { auditRow } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { checkRoleChange, type TeamRole } from "../../domain/team-roles";

/** The route's validated params and body (PUT /teams/:id/members/:userId). */
export interface ChangeMemberRoleInput {
  teamId: string;
  userId: string;
  role: TeamRole;
}

export interface TeamActor {
  userId: string;
  /** The actor's role in the team, as read when authorising the request. */
  role: TeamRole;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Sets `input.userId`'s role in the team.
 * @returns the member with the new role
 * @throws AUTH003 when the actor's team role does not allow it; RES001 for an unknown member;
 *   RES002 when it would demote the last owner, or the team changed concurrently
 */
export async function changeMemberRole(env: Pick<Bindings, "DB">, actor: TeamActor, input: ChangeMemberRoleInput) {
  const database = db(env.DB);
  const target = await findMember(database, input.teamId, input.userId);
  if (!target) throw fail.notFound("Team member");
  if (target.role === input.role) return target;
  const verdict = checkRoleChange({
    actor: actor.role,
    from: target.role,
    to: input.role,
    ownerCount: await memberCount(database, input.teamId, "owner"),
  });
  if (verdict === "forbidden") throw fail.forbidden("Your team role does not allow this change");
  if (verdict === "last_owner") throw lastOwner();
  const now = new Date();
  const audit = auditRow(
    {
      action: "team.member.role_changed",
      actorId: actor.userId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      resourceType: "team",
      resourceId: input.teamId,
      data: { userId: input.userId, from: target.role, to: input.role },
    },
    now,
  );
  const changed = await changeMemberRoleGuarded(
    database,
    {
      teamId: input.teamId,
      actorId: actor.userId,
      actorRole: actor.role,
      userId: input.userId,
      from: target.role,
      to: input.role,
      at: now.toISOString(),
    },
    audit,
  );
  if (!changed) {
    // Another owner left or was demoted meanwhile, or the roles changed: say which when we can.
    if (target.role === "owner" && (await memberCount(database, input.teamId, "owner")) <= 1) throw lastOwner();
    throw fail.conflict("The team changed while this request ran; reload and try again");
  }
  return { ...target, role: input.role };
}

function lastOwner() {
  return fail.conflict("A team needs an owner: make someone else owner first");
}

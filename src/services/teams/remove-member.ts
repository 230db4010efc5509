// Removing a team member, or leaving a team: the team-role rules decide, and one guarded write applies the decision
// only if the roles it was based on still hold and the team keeps an owner (two owners leaving at once: one stays).
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { findMember, memberCount, removeMemberGuarded } from "../../db/teams";
import { auditRow } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { checkRemoval } from "../../domain/team-roles";
import type { TeamActor } from "./change-member-role";

export interface RemoveMemberInput {
  teamId: string;
  userId: string;
}

/**
 * Removes `input.userId` from the team (the actor themself: leaving).
 * @returns `{ teamId, userId, removed: true }`
 * @throws AUTH003 when the actor's team role does not allow it; RES001 for an unknown member;
 *   RES002 when the last owner would go, or the team changed concurrently
 */
export async function removeMember(env: Pick<Bindings, "DB">, actor: TeamActor, input: RemoveMemberInput) {
  const database = db(env.DB);
  const target = await findMember(database, input.teamId, input.userId);
  if (!target) throw fail.notFound("Team member");
  const self = input.userId === actor.userId;
  const verdict = checkRemoval({
    actor: actor.role,
    targetRole: target.role,
    self,
    ownerCount: await memberCount(database, input.teamId, "owner"),
  });
  if (verdict === "forbidden") throw fail.forbidden("Your team role does not allow removing this member");
  if (verdict === "last_owner") throw lastOwner();
  const now = new Date();
  const audit = auditRow(
    {
      action: self ? "team.member.left" : "team.member.removed",
      actorId: actor.userId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      resourceType: "team",
      resourceId: input.teamId,
      data: { userId: input.userId, role: target.role },
    },
    now,
  );
  const removed = await removeMemberGuarded(
    database,
    { teamId: input.teamId, actorId: actor.userId, actorRole: actor.role, userId: input.userId, from: target.role },
    audit,
  );
  if (!removed) {
    if (!(await findMember(database, input.teamId, input.userId))) throw fail.notFound("Team member");
    if (target.role === "owner" && (await memberCount(database, input.teamId, "owner")) <= 1) throw lastOwner();
    throw fail.conflict("The team changed while this request ran; reload and try again");
  }
  return { teamId: input.teamId, userId: input.userId, removed: true as const };
}

function lastOwner() {
  return fail.conflict("The last owner cannot leave: make someone else owner or delete the team");
}

// Team roles and who may do what inside a team. Pure rules; the teams routes apply them.
// owner > admin > member > viewer. Owners manage everything; admins manage members below admin; members and
// viewers only read (members may act on the team's shared contracts/templates — that is the contracts' rule).

export const TEAM_ROLES = ["owner", "admin", "member", "viewer"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

const RANK: Record<TeamRole, number> = { owner: 3, admin: 2, member: 1, viewer: 0 };

export function teamRank(role: TeamRole): number {
  return RANK[role];
}

/** At least `min`: e.g. atLeast("admin", "member") is true. */
export function atLeast(role: TeamRole, min: TeamRole): boolean {
  return RANK[role] >= RANK[min];
}

export function canReadTeam(actor: TeamRole | null): boolean {
  return actor !== null;
}

/** Renaming or describing the team. */
export function canUpdateTeam(actor: TeamRole | null): boolean {
  return actor !== null && atLeast(actor, "admin");
}

export function canDeleteTeam(actor: TeamRole | null): boolean {
  return actor === "owner";
}

/** Inviting someone with `role`: owners may invite anyone; admins up to member (not another admin or owner). */
export function canInvite(actor: TeamRole | null, role: TeamRole): boolean {
  if (actor === "owner") return true;
  if (actor === "admin") return RANK[role] < RANK.admin;
  return false;
}

export type RoleChangeVerdict = "ok" | "forbidden" | "last_owner";

/**
 * Changing `target`'s role from `from` to `to`. Owners may set any role; admins may move people below admin
 * among the roles below admin. The last owner can never be demoted (a team always has an owner).
 */
export function checkRoleChange(input: {
  actor: TeamRole | null;
  from: TeamRole;
  to: TeamRole;
  ownerCount: number;
}): RoleChangeVerdict {
  const { actor, from, to, ownerCount } = input;
  if (actor === null) return "forbidden";
  const allowed = actor === "owner" || (actor === "admin" && RANK[from] < RANK.admin && RANK[to] < RANK.admin);
  if (!allowed) return "forbidden";
  if (from === "owner" && to !== "owner" && ownerCount <= 1) return "last_owner";
  return "ok";
}

/**
 * Removing `target` (whose role is `targetRole`). Anyone may leave (self); owners may remove anyone; admins may
 * remove members and viewers. The last owner can neither leave nor be removed: delete the team or hand it over.
 */
export function checkRemoval(input: {
  actor: TeamRole | null;
  targetRole: TeamRole;
  self: boolean;
  ownerCount: number;
}): RoleChangeVerdict {
  const { actor, targetRole, self, ownerCount } = input;
  if (actor === null) return "forbidden";
  const allowed = self || actor === "owner" || (actor === "admin" && RANK[targetRole] < RANK.admin);
  if (!allowed) return "forbidden";
  if (targetRole === "owner" && ownerCount <= 1) return "last_owner";
  return "ok";
}

/** The team roles that may (still) invite someone with `role`: the rule an invitation is checked against at use. */
export function rolesThatMayInvite(role: TeamRole): TeamRole[] {
  return TEAM_ROLES.filter((actor) => canInvite(actor, role));
}

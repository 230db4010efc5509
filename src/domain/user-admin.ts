// Who may change a user's global role or suspension. Admins manage ordinary users (user, viewer); only a
// super_admin grants or takes away admin rights or acts on another admin; nobody changes or suspends themselves.
import { isAdmin, type GlobalRole } from "./scopes";

export type AdminVerdict = { ok: true } | { ok: false; reason: "self" | "not_admin" | "needs_super_admin" };

export function checkUserAdminChange(input: {
  actor: { id: string; role: GlobalRole };
  target: { id: string; role: GlobalRole };
  /** The role to set, if the change sets one. */
  role?: GlobalRole;
  /** Whether the change suspends or unsuspends. */
  suspension?: boolean;
}): AdminVerdict {
  const { actor, target, role } = input;
  if (!isAdmin(actor)) return { ok: false, reason: "not_admin" };
  if (actor.id === target.id) return { ok: false, reason: "self" };
  if (actor.role === "super_admin") return { ok: true };
  // A plain admin: only ordinary users, and only into ordinary roles.
  if (isAdmin(target)) return { ok: false, reason: "needs_super_admin" };
  if (role !== undefined && isAdmin({ role })) return { ok: false, reason: "needs_super_admin" };
  return { ok: true };
}

export const USER_STATUSES = ["active", "unverified", "suspended", "deleted"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** One status for lists and filters; deletion wins over suspension, suspension over verification. */
export function userStatus(u: {
  deletedAt: string | null;
  suspended: boolean;
  emailVerifiedAt: string | null;
}): UserStatus {
  if (u.deletedAt) return "deleted";
  if (u.suspended) return "suspended";
  if (!u.emailVerifiedAt) return "unverified";
  return "active";
}

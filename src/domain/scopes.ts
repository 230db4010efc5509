// The one catalog of API key scopes, and the rule that a key never exceeds its owner's rights.
// A scope is `<resource>:<read|write>`; `write` implies nothing about `read` (a key lists both if it needs both).

export const SCOPES = [
  "contracts:read",
  "contracts:write",
  "templates:read",
  "templates:write",
  "escrows:read",
  "escrows:write",
  "listings:read",
  "listings:write",
  "webhooks:read",
  "webhooks:write",
  "notifications:read",
  "notifications:write",
  "reports:read",
  "reports:write",
  "analytics:read",
  "teams:read",
  "teams:write",
  "profile:read",
  "profile:write",
  "audit:read",
  // Admin scopes: the only way an API key acts with its owner's admin role (admin routes require them).
  "admin:read",
  "admin:write",
] as const;
export type Scope = (typeof SCOPES)[number];

export type GlobalRole = "super_admin" | "admin" | "user" | "viewer";

/** The platform-wide admin roles: they see every contract, escrow and listing and hold the admin:* scopes. */
export const ADMIN_ROLES = ["super_admin", "admin"] as const satisfies readonly GlobalRole[];

/** The one admin check: whether a principal, user row or role holder is a platform admin (admin or super_admin). */
export function isAdmin(who: { role: GlobalRole }): boolean {
  return (ADMIN_ROLES as readonly GlobalRole[]).includes(who.role);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** A write scope changes state; viewers may never hold or use one. */
export function isWriteScope(scope: string): boolean {
  return scope.endsWith(":write");
}

export function isAdminScope(scope: string): boolean {
  return scope.startsWith("admin:");
}

/** Whether a user with `role` may put `scope` on a key: viewers get read scopes only, admin scopes need an admin. */
export function roleMayGrant(role: GlobalRole, scope: Scope): boolean {
  if (isAdminScope(scope) && !isAdmin({ role })) return false;
  if (role === "viewer" && isWriteScope(scope)) return false;
  return true;
}

/** The scopes of `requested` the role may not grant (empty when the key is within the owner's rights). */
export function scopesBeyondRole(role: GlobalRole, requested: readonly Scope[]): Scope[] {
  return requested.filter((s) => !roleMayGrant(role, s));
}

/**
 * Scopes a key can still use now: its owner may have been demoted since it was minted
 * (an admin turned user loses admin:*, a user turned viewer loses every :write).
 */
export function effectiveScopes(role: GlobalRole, keyScopes: readonly string[]): Scope[] {
  return keyScopes.filter((s): s is Scope => isScope(s) && roleMayGrant(role, s));
}

/**
 * The role a key acts with. An admin's key without any `admin:*` scope acts as a plain user: the admin powers that
 * live outside admin routes (reading every contract or template) never come with, say, `contracts:read`.
 */
export function keyActingRole(ownerRole: GlobalRole, keyScopes: readonly Scope[]): GlobalRole {
  if (isAdmin({ role: ownerRole }) && !keyScopes.some(isAdminScope)) return "user";
  return ownerRole;
}

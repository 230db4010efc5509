// An admin changes a user's role or suspension: the user-admin rules decide; the change, its audit entries and
// (on suspension) the revoked sessions are one D1 batch, then the account's live activity stops.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import type { Role } from "../../db/schema/identity";
import { findUserById, updateUserStatement, type UserRow } from "../../db/users";
import { revokeUserSessionsStatement } from "../../db/sessions";
import { auditInsert } from "../../lib/audit";
import { ApiError, fail } from "../../lib/errors";
import { checkUserAdminChange } from "../../domain/user-admin";
import type { AuditLogEvent } from "../../domain/events";
import { stopAccountActivity } from "../accounts/stop-account-activity";

export interface AdminActor {
  userId: string;
  role: Role;
  ip: string | null;
  userAgent: string | null;
}

export interface AdministerUserInput {
  id: string;
  role?: Role;
  suspended?: boolean;
}

const refusals = {
  self: "You cannot change your own role or suspend yourself",
  not_admin: "Only admins manage users",
  needs_super_admin: "Only a super_admin grants or removes admin rights or acts on an admin",
} as const;

/**
 * Applies `input` (role and/or suspension) to the user `input.id`; a change to what already holds is a no-op.
 * @returns the user row as it now is
 * @throws RES001 for an unknown user; AUTH003 (details.reason) when the rules refuse; RES002 for an erased account
 */
export async function administerUser(env: Bindings, actor: AdminActor, input: AdministerUserInput): Promise<UserRow> {
  const target = await findUserById(env.DB, input.id);
  if (!target) throw fail.notFound("User");
  const verdict = checkUserAdminChange({
    actor: { id: actor.userId, role: actor.role },
    target: { id: target.id, role: target.role },
    role: input.role,
    suspension: input.suspended,
  });
  if (!verdict.ok) throw new ApiError("AUTH003", refusals[verdict.reason], { details: { reason: verdict.reason } });
  if (target.deletedAt) throw fail.conflict("This account was erased");

  const now = new Date();
  const at = now.toISOString();
  const roleChanged = input.role !== undefined && input.role !== target.role;
  const suspensionChanged = input.suspended !== undefined && input.suspended !== target.suspended;
  const changes: Partial<UserRow> = { updatedAt: at };
  if (roleChanged) changes.role = input.role;
  if (suspensionChanged)
    Object.assign(changes, { suspended: input.suspended, suspendedAt: input.suspended ? at : null });
  if (!roleChanged && !suspensionChanged) return target;

  const { ip, userAgent } = actor;
  const audit = (action: AuditLogEvent, data: Record<string, unknown>) =>
    auditInsert(
      env,
      { action, actorId: actor.userId, ip, userAgent, resourceType: "user", resourceId: target.id, data },
      now,
    );
  const database = db(env.DB);
  const statements = [
    updateUserStatement(database, target.id, changes),
    ...(roleChanged ? [audit("admin.user.role_changed", { from: target.role, to: input.role })] : []),
    ...(suspensionChanged && input.suspended
      ? [revokeUserSessionsStatement(env.DB, target.id, "suspended", now), audit("admin.user.suspended", {})]
      : []),
    ...(suspensionChanged && !input.suspended ? [audit("admin.user.unsuspended", {})] : []),
  ];
  await database.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
  // Suspension stops everything at once: sessions and keys already refuse (D1), live sockets close 4003, and
  // queued email sent on the user's behalf is cancelled (webhook deliveries check the owner when they run).
  if (suspensionChanged && input.suspended) await stopAccountActivity(env, target.id, "account suspended");
  return { ...target, ...changes };
}

// /admin/users: platform admins list users and change their role or suspension (rules: src/domain/user-admin.ts).
// Suspension revokes every session at once; the user's API keys stop authenticating while suspended (the auth
// middleware checks the owner) and work again if the suspension is lifted. An API key reaches these routes only
// if it holds admin:read / admin:write (which only admins can grant).
import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, isoDate, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireAdmin, requireScope } from "../lib/auth";
import { auditInsert, requestOrigin } from "../lib/audit";
import { db } from "../db/client";
import { ROLES, users } from "../db/schema/identity";
import { userView, type UserRow } from "../db/users";
import { revokeUserSessionsStatement } from "../db/sessions";
import { USER_STATUSES, checkUserAdminChange, userStatus, type UserStatus } from "../domain/user-admin";
import { stopAccountActivity } from "../services/accounts/stop-account-activity";

const adminUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    accountType: z.string(),
    company: z.string().nullable(),
    industry: z.string().nullable(),
    emailVerified: z.boolean(),
    mfaEnabled: z.boolean(),
    createdAt: isoDate,
    status: z.enum(USER_STATUSES),
    suspended: z.boolean(),
    suspendedAt: isoDate.nullable(),
    deletedAt: isoDate.nullable(),
    updatedAt: isoDate,
  })
  .openapi("AdminUser");

function adminUserView(row: UserRow) {
  return {
    ...userView(row),
    status: userStatus(row),
    suspended: row.suspended,
    suspendedAt: row.suspendedAt,
    deletedAt: row.deletedAt,
    updatedAt: row.updatedAt,
  };
}

const listQuery = pageQuery.extend({
  role: z.enum(ROLES).optional(),
  status: z.enum(USER_STATUSES).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "part of the email or name" }),
});

const patchBody = z
  .object({ role: z.enum(ROLES).optional(), suspended: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.suspended !== undefined, "give role or suspended")
  .openapi("AdminUserUpdate");

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
const base = { tags: ["Admin"], security: [{ bearer: [] }] };

const listRoute = createRoute({
  ...base,
  middleware: [requireAdmin(), requireScope("admin:read")],
  method: "get",
  path: "/admin/users",
  summary: "List users (admins)",
  request: { query: listQuery },
  responses: {
    200: jsonContent(listEnvelope(adminUserSchema), "users, newest first"),
    ...errorResponses("AUTH003", "AUTH004"),
  },
});

const patchRoute = createRoute({
  ...base,
  middleware: [requireAdmin(), requireScope("admin:write")],
  method: "patch",
  path: "/admin/users/{id}",
  summary: "Change a user's role or suspend them (admins)",
  description:
    "Admins manage `user` and `viewer` accounts; granting or removing admin rights, or acting on an admin, needs a " +
    "super_admin. Nobody changes or suspends themselves. Suspending revokes every session at once.",
  request: { params: idParam, body: jsonBody(patchBody) },
  responses: {
    200: jsonContent(envelope(adminUserSchema), "updated"),
    ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002"),
  },
});

/** LIKE pattern for a substring, with the wildcards of the input escaped. */
const containing = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

function statusCondition(status: UserStatus): SQL | undefined {
  switch (status) {
    case "deleted":
      return isNotNull(users.deletedAt);
    case "suspended":
      return and(isNull(users.deletedAt), eq(users.suspended, true));
    case "unverified":
      return and(isNull(users.deletedAt), eq(users.suspended, false), isNull(users.emailVerifiedAt));
    case "active":
      return and(isNull(users.deletedAt), eq(users.suspended, false), isNotNull(users.emailVerifiedAt));
  }
}

export const adminUserRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const conditions: (SQL | undefined)[] = [];
    if (query.role) conditions.push(eq(users.role, query.role));
    if (query.status) conditions.push(statusCondition(query.status));
    if (query.q) {
      const pattern = containing(query.q);
      // SQLite's LIKE ignores ASCII case; ESCAPE makes a searched `%` or `_` literal.
      conditions.push(
        or(sql`${users.email} LIKE ${pattern} ESCAPE '\\'`, sql`${users.name} LIKE ${pattern} ESCAPE '\\'`),
      );
    }
    const where = and(...conditions);
    const database = db(c.env.DB);
    const { limit, offset } = pageWindow(query);
    const [rows, total] = await Promise.all([
      database
        .select()
        .from(users)
        .where(where)
        .orderBy(desc(users.createdAt), desc(users.id))
        .limit(limit)
        .offset(offset)
        .all(),
      database.select({ n: count() }).from(users).where(where).get(),
    ]);
    return paginated(c, rows.map(adminUserView), query, total?.n ?? 0);
  })
  .openapi(patchRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const database = db(c.env.DB);
    const target = await database.select().from(users).where(eq(users.id, id)).get();
    if (!target) throw fail.notFound("User");
    const verdict = checkUserAdminChange({
      actor: { id: principal.userId, role: principal.role },
      target: { id: target.id, role: target.role },
      role: body.role,
      suspension: body.suspended,
    });
    if (!verdict.ok) {
      const messages = {
        self: "You cannot change your own role or suspend yourself",
        not_admin: "Only admins manage users",
        needs_super_admin: "Only a super_admin grants or removes admin rights or acts on an admin",
      } as const;
      throw new ApiError("AUTH003", messages[verdict.reason], { details: { reason: verdict.reason } });
    }
    if (target.deletedAt) throw fail.conflict("This account was erased");

    const now = new Date();
    const at = now.toISOString();
    const roleChanged = body.role !== undefined && body.role !== target.role;
    const suspensionChanged = body.suspended !== undefined && body.suspended !== target.suspended;
    const changes: Partial<UserRow> = { updatedAt: at };
    if (roleChanged) changes.role = body.role;
    if (suspensionChanged)
      Object.assign(changes, { suspended: body.suspended, suspendedAt: body.suspended ? at : null });
    if (!roleChanged && !suspensionChanged) return ok(c, adminUserView(target));

    const origin = requestOrigin(c);
    const audit = (action: string, data: Record<string, unknown>) =>
      auditInsert(
        c.env,
        { action, actorId: principal.userId, ...origin, resourceType: "user", resourceId: target.id, data },
        now,
      );
    const statements = [
      database.update(users).set(changes).where(eq(users.id, target.id)),
      ...(roleChanged ? [audit("admin.user.role_changed", { from: target.role, to: body.role })] : []),
      ...(suspensionChanged && body.suspended
        ? [revokeUserSessionsStatement(c.env.DB, target.id, "suspended", now), audit("admin.user.suspended", {})]
        : []),
      ...(suspensionChanged && !body.suspended ? [audit("admin.user.unsuspended", {})] : []),
    ];
    await database.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
    // Suspension stops everything at once: sessions and keys already refuse (D1), live sockets close 4003, and
    // queued email sent on the user's behalf is cancelled (webhook deliveries check the owner when they run).
    if (suspensionChanged && body.suspended) await stopAccountActivity(c.env, target.id, "account suspended");
    return ok(c, adminUserView({ ...target, ...changes }));
  });

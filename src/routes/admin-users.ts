// /admin/users: platform admins list users and change their role or suspension (rules: src/domain/user-admin.ts).
// Suspension revokes every session at once; the user's API keys stop authenticating while suspended (the auth
// middleware checks the owner) and work again if the suspension is lifted. An API key reaches these routes only
// if it holds admin:read / admin:write (which only admins can grant).
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, idParams, isoDate, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireAdmin, requireScope } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { userSchema } from "../schemas/user";
import { viewPicker } from "../lib/view";
import { ROLES } from "../db/schema/identity";
import { userView, type UserRow } from "../db/users";
import { listUsersForAdmin } from "../db/admin-users";
import { USER_STATUSES, userStatus } from "../domain/user-admin";
import { administerUser } from "../services/users/administer-user";

// The public `user` plus what admins see of the account's state.
const adminUserSchema = userSchema
  .extend({
    status: z.enum(USER_STATUSES),
    suspended: z.boolean(),
    suspendedAt: isoDate.nullable(),
    deletedAt: isoDate.nullable(),
    updatedAt: isoDate,
  })
  .openapi("AdminUser");

const adminUserFields = viewPicker(adminUserSchema);
const adminUserView = (row: UserRow) => adminUserFields({ ...row, ...userView(row), status: userStatus(row) });

const listQuery = pageQuery.extend({
  role: z.enum(ROLES).optional(),
  status: z.enum(USER_STATUSES).optional(),
  q: z.string().trim().min(1).max(100).optional().openapi({ description: "part of the email or name" }),
});

const patchBody = z
  .object({ role: z.enum(ROLES).optional(), suspended: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.suspended !== undefined, "give role or suspended")
  .openapi("AdminUserUpdate");

const listRoute = createRoute({
  ...bearerRoute("Admin", requireAdmin(), requireScope("admin:read")),
  method: "get",
  path: "/admin/users",
  summary: "List users (admins)",
  request: { query: listQuery },
  responses: answers(200, listEnvelope(adminUserSchema), "users, newest first", "AUTH003", "AUTH004"),
});

const patchRoute = createRoute({
  ...bearerRoute("Admin", requireAdmin(), requireScope("admin:write")),
  method: "patch",
  path: "/admin/users/{id}",
  summary: "Change a user's role or suspend them (admins)",
  description:
    "Admins manage `user` and `viewer` accounts; granting or removing admin rights, or acting on an admin, needs a " +
    "super_admin. Nobody changes or suspends themselves. Suspending revokes every session at once.",
  request: { params: idParams, body: jsonBody(patchBody) },
  responses: answers(200, envelope(adminUserSchema), "updated", "AUTH003", "AUTH004", "RES001", "RES002"),
});

export const adminUserRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const { rows, total } = await listUsersForAdmin(c.env.DB, query, pageWindow(query));
    return paginated(c, rows.map(adminUserView), query, total);
  })
  .openapi(patchRoute, async (c) => {
    const principal = principalOf(c);
    const actor = { userId: principal.userId, role: principal.role, ...requestOrigin(c) };
    const user = await administerUser(c.env, actor, { ...c.req.valid("json"), id: c.req.valid("param").id });
    return ok(c, adminUserView(user));
  });

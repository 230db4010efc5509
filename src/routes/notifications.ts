// /notifications: the caller's in-app notifications (newest first, optional unread filter), read and read-all.
// Rows are written by the notifications consumer (src/jobs/notify.ts) per the user's preferences.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, idParams, listEnvelope } from "../lib/openapi";
import { metadata, ok } from "../lib/respond";
import { pageQuery, pageWindow, paginationBlock } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { db } from "../db/client";
import { listNotifications, markAllRead, markRead, notificationView } from "../db/notifications";
import { notificationSchema } from "../schemas/notifications";

const listQuery = pageQuery.extend({
  unread: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .openapi({ description: "only unread notifications" }),
});

const listRoute = createRoute({
  ...bearerRoute("Notifications", requireScope("notifications:read")),
  method: "get",
  path: "/notifications",
  summary: "The caller's notifications, newest first",
  description: "`metadata.unreadCount` carries the number of unread notifications whatever the filter.",
  request: { query: listQuery },
  responses: answers(200, listEnvelope(notificationSchema), "a page of notifications", "VAL001", "AUTH003", "AUTH004"),
});

const readRoute = createRoute({
  ...bearerRoute("Notifications", requireScope("notifications:write")),
  method: "post",
  path: "/notifications/{id}/read",
  summary: "Mark one notification read (idempotent)",
  request: { params: idParams },
  responses: answers(200, envelope(notificationSchema), "read", "AUTH003", "AUTH004", "RES001"),
});

const readAllRoute = createRoute({
  ...bearerRoute("Notifications", requireScope("notifications:write")),
  method: "post",
  path: "/notifications/read-all",
  summary: "Mark every notification of the caller read",
  responses: answers(
    200,
    envelope(z.object({ updated: z.number().int() })),
    "how many were unread",
    "AUTH003",
    "AUTH004",
  ),
});

export const notificationRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { rows, total, unread } = await listNotifications(
      db(c.env.DB),
      principalOf(c).userId,
      query.unread,
      limit,
      offset,
    );
    return c.json(
      {
        success: true as const,
        data: rows.map(notificationView),
        ...paginationBlock(c.req.url, query, total),
        metadata: { ...metadata(c), unreadCount: unread },
      },
      200,
    );
  })
  .openapi(readAllRoute, async (c) => {
    const updated = await markAllRead(db(c.env.DB), principalOf(c).userId, new Date().toISOString());
    return ok(c, { updated });
  })
  .openapi(readRoute, async (c) => {
    const row = await markRead(db(c.env.DB), principalOf(c).userId, c.req.valid("param").id, new Date().toISOString());
    if (!row) throw fail.notFound("Notification");
    return ok(c, notificationView(row));
  });

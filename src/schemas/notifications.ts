// The in-app notification view (API.md `notification`): the one schema the route documents and
// db/notifications.ts maps rows to.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";

export const notificationSchema = z
  .object({
    id: z.string().openapi({ example: "ntf_3kTq9ZyP0aB1cD2eF3gH" }),
    type: z.string().openapi({ example: "contract.sent" }),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    subject: z.object({ type: z.string(), id: z.string() }),
    read: z.boolean(),
    readAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .openapi("Notification");

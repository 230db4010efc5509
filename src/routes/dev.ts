// Development-only routes (API.md "Development only"): 404 RES001 in any environment but development/test.
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { errorResponses, isoDate, jsonContent, listEnvelope } from "../lib/openapi";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError } from "../lib/errors";
import { usesDevMailbox } from "../lib/mailer";
import { listDevMailbox } from "../db/dev-mailbox";

/** Outside development the routes answer exactly like an unknown route. */
export const devOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!usesDevMailbox(c.env)) {
    throw new ApiError("RES001", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  }
  await next();
};

const mailboxEmail = z
  .object({ to: z.string(), subject: z.string(), text: z.string(), html: z.string(), sentAt: isoDate })
  .openapi("DevMailboxEmail");

const mailboxRoute = createRoute({
  method: "get",
  path: "/dev/mailbox",
  tags: ["Development"],
  summary: "Emails the app sent (development only), newest first",
  middleware: [devOnly] as const,
  request: { query: pageQuery.extend({ to: z.email().max(254).optional().openapi({ example: "ada@example.com" }) }) },
  responses: {
    200: jsonContent(listEnvelope(mailboxEmail), "emails, newest first"),
    ...errorResponses("RES001"),
  },
});

export const devRoutes = createRouter().openapi(mailboxRoute, async (c) => {
  const query = c.req.valid("query");
  const { items, total } = await listDevMailbox(c.env.DB, { to: query.to }, pageWindow(query));
  return paginated(c, items, query, total);
});

// GET /api/v1/live: the caller's personal live feed (their UserFeed object) over a WebSocket.
import { z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { forwardToLiveRoom, liveRoute } from "../lib/live";
import { ApiError } from "../lib/errors";

const query = z.object({
  userId: z
    .string()
    .regex(/^usr_[0-9A-Za-z]{20}$/, "expected a usr_ id")
    .optional()
    .openapi({ description: "Your user id; needed only when the upgrade request carries no Authorization header." }),
});

const route = liveRoute({
  path: "/live",
  tags: ["Live"],
  summary: "Personal live feed (WebSocket)",
  description: [
    "Every event concerning you: contracts and escrows you are party to, and your notifications.",
    "Browsers cannot set headers on a WebSocket upgrade, so the socket authenticates with its first message;",
    "until then the Worker knows nobody, yet must pick your feed's object. So pass your own `userId` (from",
    "login or `/users/me`) in the query, or send the upgrade with an Authorization header, which then decides.",
    "Naming someone else's id gets you nothing: their feed closes your socket with 4003 once your token shows",
    "who you are.",
  ].join(" "),
  query,
});

export const liveRoutes = createRouter().openapi(route, async (c) => {
  const userId = c.get("principal")?.userId ?? c.req.valid("query").userId;
  if (!userId) {
    throw new ApiError("VAL001", "Request validation failed", {
      details: [{ path: "userId", message: "userId is required when no Authorization header is sent" }],
    });
  }
  return forwardToLiveRoom(c, c.env.USER_FEED, userId);
});

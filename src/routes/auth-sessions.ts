// /auth/sessions: the caller's live sessions (devices) and revoking one; revocation applies to the next request.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, idParams, revokedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireSession } from "../lib/auth";
import { requestActor } from "../lib/audit";
import { listLiveSessions } from "../db/sessions";
import { sessionSchema } from "../schemas/auth";
import { revokeSession } from "../services/auth/revoke-session";

const listRoute = createRoute({
  ...bearerRoute("Auth", requireSession()),
  method: "get",
  path: "/auth/sessions",
  summary: "The caller's live sessions, newest first (at most 100)",
  responses: answers(
    200,
    envelope(z.array(sessionSchema)),
    "sessions; `current` marks the one making this request",
    "AUTH002",
    "AUTH003",
    "AUTH004",
  ),
});

const revokeRoute = createRoute({
  ...bearerRoute("Auth", requireSession()),
  method: "delete",
  path: "/auth/sessions/{id}",
  summary: "Revoke one of the caller's sessions (its tokens stop working at once)",
  request: { params: idParams },
  responses: answers(200, envelope(revokedSchema), "revoked", "AUTH002", "AUTH003", "AUTH004", "RES001"),
});

export const authSessionRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const principal = principalOf(c);
    const rows = await listLiveSessions(c.env.DB, principal.userId, new Date());
    return ok(
      c,
      rows.map((s) => ({
        id: s.id,
        userAgent: s.userAgent,
        ip: s.ip,
        createdAt: s.createdAt,
        lastUsedAt: s.lastUsedAt,
        current: s.id === principal.sessionId,
      })),
      200,
    );
  })

  .openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid("param");
    await revokeSession(c.env, requestActor(c), id);
    return ok(c, { id, revoked: true as const }, 200);
  });

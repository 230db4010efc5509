// Admin: list dead-lettered queue messages and replay one to the queue it came from.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, isoDate, listEnvelope } from "../lib/openapi";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ok } from "../lib/respond";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireAdmin, requireScope } from "../lib/auth";
import { auditFromRequest } from "../lib/audit";
import { QUEUE_NAMES } from "../lib/queue-messages";
import { claimReplay, getDeadLetter, listDeadLetters, releaseReplay, type DeadLetterRow } from "../db/dead-letters";
import { isReplayable, resendDeadLetter } from "../jobs/dead-letter-store";
import { log } from "../lib/request-context";

const ORIGIN_QUEUE_NAMES = [QUEUE_NAMES.events, QUEUE_NAMES.jobs, QUEUE_NAMES.documents] as const;

const deadLetterSchema = z
  .object({
    id: z.string().openapi({ example: "dlq_4f8Kq0cT1nZ2mVxY7bLp" }),
    queue: z.string().openapi({ example: "escra-jobs", description: "the queue the message failed on" }),
    messageId: z.string(),
    kind: z.string().openapi({ example: "email.send" }),
    body: z.unknown().openapi({ description: "the original queue message" }),
    attempts: z.number().int(),
    receivedAt: isoDate,
    replayedAt: isoDate.nullable(),
  })
  .openapi("DeadLetter");

function present(row: DeadLetterRow) {
  let body: unknown;
  try {
    body = JSON.parse(row.body);
  } catch {
    body = row.body;
  }
  return { ...row, body };
}

const listRoute = createRoute({
  ...bearerRoute("Operations", requireScope("admin:read"), requireAdmin()),
  method: "get",
  path: "/admin/dead-letters",
  summary: "Dead-lettered queue messages, newest first",
  request: {
    query: pageQuery.extend({
      queue: z.enum(ORIGIN_QUEUE_NAMES).optional(),
      kind: z.string().max(100).optional(),
      replayed: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: answers(200, listEnvelope(deadLetterSchema), "dead letters", "AUTH003", "AUTH004"),
});

const replayRoute = createRoute({
  ...bearerRoute("Operations", requireScope("admin:write"), requireAdmin()),
  method: "post",
  path: "/admin/dead-letters/{id}/replay",
  summary: "Re-send a dead-lettered message to its original queue",
  request: { params: z.object({ id: z.string().regex(/^dlq_[0-9A-Za-z]{20}$/, "expected a dlq_ id") }) },
  responses: answers(200, envelope(deadLetterSchema), "replayed", "AUTH003", "AUTH004", "RES001", "RES002", "SYS002"),
});

export const adminDeadLetterRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const replayed = query.replayed === undefined ? undefined : query.replayed === "true";
    const { items, total } = await listDeadLetters(
      c.env.DB,
      { queue: query.queue, kind: query.kind, replayed },
      pageWindow(query),
    );
    return paginated(c, items.map(present), query, total);
  })
  .openapi(replayRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = principalOf(c);
    const row = await getDeadLetter(c.env.DB, id);
    if (!row) throw fail.notFound("Dead letter");
    if (row.replayedAt) throw fail.conflict("This message was already replayed", { replayedAt: row.replayedAt });
    if (!isReplayable(row.body)) throw fail.conflict("This message is malformed and cannot be replayed");

    // Claim first so two admins clicking at once replay it once.
    const at = new Date().toISOString();
    if (!(await claimReplay(c.env.DB, id, at))) throw fail.conflict("This message was already replayed");
    try {
      await resendDeadLetter(c.env, row.body);
    } catch (err) {
      await releaseReplay(c.env.DB, id, at);
      log("error", "dead letter replay failed", { id, error: err instanceof Error ? err.message : String(err) });
      throw new ApiError("SYS002", "The queue is unavailable; try again");
    }
    await auditFromRequest(c, {
      action: "dead_letter.replayed",
      actorId: principal.userId,
      resourceType: "dead_letter",
      resourceId: id,
      data: { queue: row.queue, kind: row.kind, messageId: row.messageId },
    });
    return ok(c, present({ ...row, replayedAt: at }), 200);
  });

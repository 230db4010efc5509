// /admin/anchors: anchoring batches with their status and cost (gas used × effective gas price, in wei), and a
// trigger that runs a batch now instead of waiting for the */5 cron.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, isoDate, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireAdmin, requireScope } from "../lib/auth";
import { recordAudit, requestOrigin } from "../lib/audit";
import { listBatches, type AnchorBatchRow } from "../db/anchors";
import { BATCH_STATUSES } from "../db/schema/anchoring";
import { batchCostWei } from "../domain/anchor-rules";
import { anchorCycle } from "../cron/anchor-cycle";

const wei = z.string().regex(/^\d+$/).openapi({ description: "wei, decimal string", example: "22280000000000" });

const batchSchema = z
  .object({
    id: z.string().openapi({ example: "bat_0123456789abcdefghij" }),
    status: z.enum(BATCH_STATUSES),
    network: z.object({ name: z.string(), chainId: z.number().int() }),
    root: z.string().nullable(),
    size: z.number().int().openapi({ description: "distinct leaves in the tree" }),
    recordCount: z.number().int(),
    txHash: z.string().nullable(),
    replacedTxHashes: z.array(z.string()).openapi({ description: "earlier fee-bumped versions of the same nonce" }),
    nonce: z.number().int().nullable(),
    gasUsed: wei.nullable(),
    effectiveGasPrice: wei.nullable(),
    cost: wei.nullable().openapi({ description: "gasUsed × effectiveGasPrice in wei; null until mined" }),
    minedBlock: z.number().int().nullable(),
    confirmations: z.number().int(),
    error: z.string().nullable(),
    createdAt: isoDate,
    sentAt: isoDate.nullable(),
    minedAt: isoDate.nullable(),
    confirmedAt: isoDate.nullable(),
  })
  .openapi("AnchorBatch");

function batchView(b: AnchorBatchRow) {
  return {
    id: b.id,
    status: b.status,
    network: { name: b.network, chainId: b.chainId },
    root: b.root,
    size: b.size,
    recordCount: b.recordCount,
    txHash: b.txHash,
    replacedTxHashes: JSON.parse(b.replacedTxHashes) as string[],
    nonce: b.nonce,
    gasUsed: b.gasUsed,
    effectiveGasPrice: b.effectiveGasPrice,
    cost: batchCostWei(b.gasUsed, b.effectiveGasPrice),
    minedBlock: b.minedBlock,
    confirmations: b.confirmations,
    error: b.error,
    createdAt: b.createdAt,
    sentAt: b.sentAt,
    minedAt: b.minedAt,
    confirmedAt: b.confirmedAt,
  };
}

const triggerResultSchema = z
  .object({
    outcomes: z.array(
      z.object({
        network: z.object({ name: z.string(), chainId: z.number().int() }),
        batch: batchSchema.nullable(),
        skipped: z
          .enum(["nothing_pending", "rpc_unavailable", "broadcast_failed", "error"])
          .nullable()
          .openapi({ description: "why no batch was sent; records stay queued in every case" }),
      }),
    ),
  })
  .openapi("AnchorBatchTrigger");

const listRoute = createRoute({
  ...bearerRoute(["Admin", "Anchoring"], requireAdmin(), requireScope("admin:read")),
  method: "get",
  path: "/admin/anchors/batches",
  summary: "Anchoring batches, newest first, with status and cost (admins)",
  request: { query: pageQuery.extend({ status: z.enum(BATCH_STATUSES).optional() }) },
  responses: answers(200, listEnvelope(batchSchema), "a page of batches", "AUTH003", "AUTH004"),
});

const triggerRoute = createRoute({
  ...bearerRoute(["Admin", "Anchoring"], requireAdmin(), requireScope("admin:write")),
  method: "post",
  path: "/admin/anchors/batches",
  summary:
    "Settle open batches (confirmations, lost transactions), then batch and send every pending record now, one transaction per network (admins)",
  responses: answers(200, envelope(triggerResultSchema), "one outcome per configured network", "AUTH003", "AUTH004"),
});

export const adminAnchoringRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const { limit, offset } = pageWindow(query);
    const { rows, total } = await listBatches(c.env.DB, limit, offset, query.status);
    return paginated(c, rows.map(batchView), query, total);
  })
  .openapi(triggerRoute, async (c) => {
    const principal = principalOf(c);
    // The same cycle as the cron task: open batches are settled too, so records show their confirmations at once.
    const outcomes = await anchorCycle(c.env, new Date());
    await recordAudit(c.env, {
      action: "anchor.batch_triggered",
      actorId: principal.userId,
      ...requestOrigin(c),
      resourceType: "anchor_batch",
      resourceId: outcomes.find((o) => o.batch)?.batch?.id ?? null,
      data: {
        outcomes: outcomes.map((o) => ({
          network: o.network,
          batchId: o.batch?.id ?? null,
          skipped: o.skipped ?? null,
        })),
      },
    });
    return ok(
      c,
      {
        outcomes: outcomes.map((o) => ({
          network: { name: o.network, chainId: o.chainId },
          batch: o.batch ? batchView(o.batch) : null,
          skipped: o.skipped ?? null,
        })),
      },
      200,
    );
  });

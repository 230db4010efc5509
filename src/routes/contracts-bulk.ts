// POST /contracts/bulk: cancel, delete or tag many contracts at once. Each id is checked on its own (rights and
// state) and gets its own result, so one refused id never blocks the others.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { bearerSecurity, envelope, errorResponses, jsonBody, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { ApiError } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import type { Bindings, Principal } from "../env";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { requireContractAccess } from "../lib/contract-guard";
import { purgeContractFiles } from "../services/contracts/purge-contract-files";

const bulkBody = z
  .object({
    action: z.enum(["cancel", "delete", "tag"]),
    ids: z
      .array(z.string().regex(/^ctr_[0-9A-Za-z]{20}$/, "expected a ctr_ id"))
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, "ids must be unique"),
    tags: z.array(z.string().trim().min(1).max(50)).min(1).max(20).optional(),
    reason: z.string().trim().min(1).max(2_000).optional(),
  })
  .refine((b) => b.action !== "tag" || b.tags !== undefined, {
    message: "tags are required for action tag",
    path: ["tags"],
  })
  .openapi("BulkContracts");

const resultSchema = z
  .object({
    id: z.string(),
    ok: z.boolean(),
    status: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi("BulkResult");

const bulkRoute = createRoute({
  tags: ["Contracts"],
  middleware: [requireScope("contracts:write")],
  security: bearerSecurity,
  method: "post",
  path: "/contracts/bulk",
  summary: "Cancel, delete or tag many contracts; one result per id",
  request: { body: jsonBody(bulkBody) },
  responses: {
    200: jsonContent(envelope(z.object({ results: z.array(resultSchema) })), "per-id results"),
    ...errorResponses("AUTH004"),
  },
});

/** Rooms are independent single writers; a few at a time keeps the request's subrequests bounded. */
const CONCURRENCY = 8;

async function runOne(env: Bindings, principal: Principal, input: z.infer<typeof bulkBody>, id: string) {
  try {
    const room = contractRoom(env, id);
    if (input.action === "tag") {
      await requireContractAccess(env, principal, id, "edit");
      return { id, ok: true, status: unwrap(await room.tag(principal.userId, input.tags ?? [])).status };
    }
    await requireContractAccess(env, principal, id, "owner");
    if (input.action === "cancel")
      return { id, ok: true, status: unwrap(await room.cancel(principal.userId, input.reason ?? null)).status };
    unwrap(await room.remove(principal.userId));
    await purgeContractFiles(env, id);
    return { id, ok: true, status: "deleted" };
  } catch (err) {
    if (err instanceof ApiError) return { id, ok: false, error: { code: err.code, message: err.message } };
    throw err;
  }
}

export const contractBulkRoutes = createRouter().openapi(bulkRoute, async (c) => {
  const principal = principalOf(c);
  const input = c.req.valid("json");
  const results: Awaited<ReturnType<typeof runOne>>[] = new Array(input.ids.length);
  let next = 0;
  const worker = async () => {
    while (next < input.ids.length) {
      const index = next++;
      results[index] = await runOne(c.env, principal, input, input.ids[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, input.ids.length) }, worker));
  return ok(c, { results }, 200);
});

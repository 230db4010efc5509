// POST /contracts/bulk: cancel, delete or tag many contracts at once. Each id is checked on its own (rights and
// state) and gets its own result, so one refused id never blocks the others.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { bulkContractsBody, bulkResultSchema } from "../schemas/contracts";
import { applyBulkAction } from "../services/contracts/apply-bulk-action";

const bulkRoute = createRoute({
  ...bearerRoute("Contracts", requireScope("contracts:write")),
  method: "post",
  path: "/contracts/bulk",
  summary: "Cancel, delete or tag many contracts; one result per id",
  request: { body: jsonBody(bulkContractsBody) },
  responses: answers(200, envelope(z.object({ results: z.array(bulkResultSchema) })), "per-id results", "AUTH004"),
});

export const contractBulkRoutes = createRouter().openapi(bulkRoute, async (c) => {
  const results = await applyBulkAction(c.env, principalOf(c), c.req.valid("json"));
  return ok(c, { results }, 200);
});

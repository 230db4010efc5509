// GET /search across contracts and templates (FTS5, bm25, only what the caller may see) and saved searches:
// named contract filters a user can re-run. Saved searches are personal bookmarks, not contract changes, so they
// need only the read scope.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, listEnvelope, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import { db } from "../db/client";
import {
  deleteSavedSearch,
  insertSavedSearchWithinCap,
  listSavedSearches,
  MAX_SAVED_SEARCHES,
} from "../db/saved-searches";
import { runSavedSearch } from "../services/search/run-saved-search";
import { searchEverything } from "../services/search/search-everything";
import { contractSchema, listContractsQuery } from "../schemas/contracts";

const read = bearerRoute("Search", requireScope("contracts:read"));
// Saving or deleting a search changes the caller's state, so a read-only key may run searches but not store them.
const write = bearerRoute("Search", requireScope("contracts:write"));

const hitSchema = z
  .object({
    type: z.enum(["contract", "template"]),
    id: z.string(),
    title: z.string(),
    snippet: z.string(),
    status: z.string().nullable(),
    updatedAt: z.string(),
    score: z.number().openapi({ description: "bm25; lower is a better match" }),
  })
  .openapi("SearchHit");

const savedQuerySchema = listContractsQuery
  .refine((q) => Object.values(q).some((v) => v !== undefined), { message: "give at least one filter", path: [] })
  .openapi("SavedSearchQuery");

const savedSearchSchema = z
  .object({ id: z.string(), name: z.string(), query: z.record(z.string(), z.unknown()), createdAt: z.string() })
  .openapi("SavedSearch");

const savedIdParam = z.object({
  id: z
    .string()
    .regex(/^ssr_[0-9A-Za-z]{20}$/, "expected an ssr_ id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const searchRoute = createRoute({
  ...read,
  method: "get",
  path: "/search",
  summary: "Full-text search across the contracts and templates the caller may see, best match first",
  request: {
    query: pageQuery.extend({
      q: z.string().trim().min(1).max(200),
      type: z.enum(["contract", "template"]).optional(),
    }),
  },
  responses: answers(200, listEnvelope(hitSchema), "matches", "AUTH004"),
});
const createSavedRoute = createRoute({
  ...write,
  method: "post",
  path: "/saved-searches",
  summary: "Save a named contract search",
  request: {
    body: jsonBody(
      z.object({ name: z.string().trim().min(1).max(100), query: savedQuerySchema }).openapi("CreateSavedSearch"),
    ),
  },
  responses: answers(201, envelope(savedSearchSchema), "saved", "AUTH003", "AUTH004", "RES002"),
});
const listSavedRoute = createRoute({
  ...read,
  method: "get",
  path: "/saved-searches",
  summary: "The caller's saved searches",
  request: { query: pageQuery },
  responses: answers(200, listEnvelope(savedSearchSchema), "saved searches", "AUTH004"),
});
const deleteSavedRoute = createRoute({
  ...write,
  method: "delete",
  path: "/saved-searches/{id}",
  summary: "Delete a saved search",
  request: { params: savedIdParam },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001"),
});
const runSavedRoute = createRoute({
  ...read,
  method: "get",
  path: "/saved-searches/{id}/results",
  summary: "Run a saved search now",
  request: { params: savedIdParam, query: pageQuery },
  responses: answers(200, listEnvelope(contractSchema), "matching contracts", "AUTH003", "AUTH004", "RES001"),
});

export const searchRoutes = createRouter()
  .openapi(searchRoute, async (c) => {
    const query = c.req.valid("query");
    const { hits, total } = await searchEverything(db(c.env.DB), principalOf(c), query);
    return paginated(c, hits, query, total);
  })
  .openapi(createSavedRoute, async (c) => {
    const principal = principalOf(c);
    const { name, query } = c.req.valid("json");
    const database = db(c.env.DB);
    const row = { id: newId("ssr"), userId: principal.userId, name, query, createdAt: new Date().toISOString() };
    if (!(await insertSavedSearchWithinCap(database, row))) {
      throw fail.conflict(`At most ${MAX_SAVED_SEARCHES} saved searches`);
    }
    return ok(c, { id: row.id, name, query, createdAt: row.createdAt }, 201);
  })
  .openapi(listSavedRoute, async (c) => {
    const { page, perPage } = c.req.valid("query");
    const window = pageWindow({ page, perPage });
    const { rows, total } = await listSavedSearches(db(c.env.DB), principalOf(c).userId, window);
    return paginated(
      c,
      rows.map(({ userId: _u, ...r }) => r),
      { page, perPage },
      total,
    );
  })
  .openapi(deleteSavedRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteSavedSearch(db(c.env.DB), principalOf(c).userId, id))) throw fail.notFound("Saved search");
    return ok(c, { id, deleted: true as const }, 200);
  })
  .openapi(runSavedRoute, async (c) => {
    const { page, perPage } = c.req.valid("query");
    const input = { id: c.req.valid("param").id, page, perPage };
    const { items, total } = await runSavedSearch(db(c.env.DB), principalOf(c), input);
    return paginated(c, items, { page, perPage }, total);
  });

// GET /search across contracts and templates (FTS5, bm25, only what the caller may see) and saved searches:
// named contract filters a user can re-run. Saved searches are personal bookmarks, not contract changes, so they
// need only the read scope.
import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq } from "drizzle-orm";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import { db, type Database } from "../db/client";
import type { Principal } from "../env";
import { contracts, savedSearches } from "../db/schema/contracts";
import { templates } from "../db/schema/templates";
import { visibleContracts } from "../db/contract-access";
import { ensureStarterTemplates, visibleTemplates } from "../db/templates";
import { listContracts } from "../db/contracts";
import { insertSavedSearchWithinCap, MAX_SAVED_SEARCHES } from "../db/saved-searches";
import {
  contractFtsJoin,
  contractMatch,
  contractRank,
  contractSnippet,
  contractsFts,
  templateFtsJoin,
  templateMatch,
  templateRank,
  templateSnippet,
  templatesFts,
} from "../db/contracts-search";
import { ftsQuery } from "../domain/search-query";
import { contractSchema, listContractsQuery } from "../schemas/contracts";

const read = { tags: ["Search"], middleware: [requireScope("contracts:read")], security: [{ bearer: [] }] };
// Saving or deleting a search changes the caller's state, so a read-only key may run searches but not store them.
const write = { tags: ["Search"], middleware: [requireScope("contracts:write")], security: [{ bearer: [] }] };

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
  responses: { 200: jsonContent(listEnvelope(hitSchema), "matches"), ...errorResponses("AUTH004") },
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
  responses: {
    201: jsonContent(envelope(savedSearchSchema), "saved"),
    ...errorResponses("AUTH003", "AUTH004", "RES002"),
  },
});
const listSavedRoute = createRoute({
  ...read,
  method: "get",
  path: "/saved-searches",
  summary: "The caller's saved searches",
  request: { query: pageQuery },
  responses: { 200: jsonContent(listEnvelope(savedSearchSchema), "saved searches"), ...errorResponses("AUTH004") },
});
const deleteSavedRoute = createRoute({
  ...write,
  method: "delete",
  path: "/saved-searches/{id}",
  summary: "Delete a saved search",
  request: { params: savedIdParam },
  responses: {
    200: jsonContent(envelope(z.object({ id: z.string(), deleted: z.literal(true) })), "deleted"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});
const runSavedRoute = createRoute({
  ...read,
  method: "get",
  path: "/saved-searches/{id}/results",
  summary: "Run a saved search now",
  request: { params: savedIdParam, query: pageQuery },
  responses: {
    200: jsonContent(listEnvelope(contractSchema), "matching contracts"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

async function contractHits(database: Database, principal: Principal, query: string, limit: number) {
  const where = and(await visibleContracts(database, principal), contractMatch(query));
  const [rows, total] = await Promise.all([
    database
      .select({
        id: contracts.id,
        title: contracts.title,
        status: contracts.status,
        updatedAt: contracts.updatedAt,
        snippet: contractSnippet,
        score: contractRank,
      })
      .from(contracts)
      .innerJoin(contractsFts, contractFtsJoin)
      .where(where)
      .orderBy(contractRank)
      .limit(limit)
      .all(),
    database.select({ n: count() }).from(contracts).innerJoin(contractsFts, contractFtsJoin).where(where).get(),
  ]);
  return { hits: rows.map((r) => ({ type: "contract" as const, ...r })), total: total?.n ?? 0 };
}

async function templateHits(database: Database, principal: Principal, query: string, limit: number) {
  await ensureStarterTemplates(database);
  const where = and(visibleTemplates(principal), templateMatch(query));
  const [rows, total] = await Promise.all([
    database
      .select({
        id: templates.id,
        title: templates.name,
        updatedAt: templates.updatedAt,
        snippet: templateSnippet,
        score: templateRank,
      })
      .from(templates)
      .innerJoin(templatesFts, templateFtsJoin)
      .where(where)
      .orderBy(templateRank)
      .limit(limit)
      .all(),
    database.select({ n: count() }).from(templates).innerJoin(templatesFts, templateFtsJoin).where(where).get(),
  ]);
  return { hits: rows.map((r) => ({ type: "template" as const, status: null, ...r })), total: total?.n ?? 0 };
}

export const searchRoutes = createRouter()
  .openapi(searchRoute, async (c) => {
    const principal = principalOf(c);
    const { q, type, page, perPage } = c.req.valid("query");
    const query = ftsQuery(q);
    if (query === null) return paginated(c, [], { page, perPage }, 0);
    const database = db(c.env.DB);
    // Each source's best `page * perPage` hits are enough to cut the merged page from.
    const need = page * perPage;
    const empty = { hits: [], total: 0 };
    const [fromContracts, fromTemplates] = await Promise.all([
      type === "template" ? empty : contractHits(database, principal, query, need),
      type === "contract" ? empty : templateHits(database, principal, query, need),
    ]);
    const merged = [...fromContracts.hits, ...fromTemplates.hits].sort((a, b) => a.score - b.score);
    const { offset, limit } = pageWindow({ page, perPage });
    return paginated(
      c,
      merged.slice(offset, offset + limit),
      { page, perPage },
      fromContracts.total + fromTemplates.total,
    );
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
    const principal = principalOf(c);
    const { page, perPage } = c.req.valid("query");
    const database = db(c.env.DB);
    const mine = eq(savedSearches.userId, principal.userId);
    const { limit, offset } = pageWindow({ page, perPage });
    const [rows, total] = await Promise.all([
      database
        .select()
        .from(savedSearches)
        .where(mine)
        .orderBy(desc(savedSearches.createdAt))
        .limit(limit)
        .offset(offset)
        .all(),
      database.select({ n: count() }).from(savedSearches).where(mine).get(),
    ]);
    return paginated(
      c,
      rows.map(({ userId: _u, ...r }) => r),
      { page, perPage },
      total?.n ?? 0,
    );
  })
  .openapi(deleteSavedRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const gone = await db(c.env.DB)
      .delete(savedSearches)
      .where(and(eq(savedSearches.id, id), eq(savedSearches.userId, principal.userId)))
      .returning({ id: savedSearches.id });
    if (gone.length === 0) throw fail.notFound("Saved search");
    return ok(c, { id, deleted: true as const }, 200);
  })
  .openapi(runSavedRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const { page, perPage } = c.req.valid("query");
    const database = db(c.env.DB);
    const saved = await database
      .select()
      .from(savedSearches)
      .where(and(eq(savedSearches.id, id), eq(savedSearches.userId, principal.userId)))
      .get();
    if (!saved) throw fail.notFound("Saved search");
    // Re-validated on the way out: a stored query is data, and the filters' rules may have tightened since.
    const filters = listContractsQuery.parse(saved.query);
    const { items, total } = await listContracts(
      database,
      await visibleContracts(database, principal),
      filters,
      pageWindow({ page, perPage }),
    );
    return paginated(c, items, { page, perPage }, total);
  });

// GET /catalog: the public marketplace — approved listings only, with filters (text, category, currency, price).
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { db } from "../db/client";
import { findListing, listListings } from "../db/listings";
import { PUBLIC_LISTING_STATUSES } from "../domain/listing-machine";
import { viewOf } from "./listings";
import { catalogQuery, listingIdParam, listingSchema } from "./listings-schemas";

const tags = ["Marketplace"];

const listRoute = createRoute({
  tags,
  method: "get",
  path: "/catalog",
  summary: "Approved listings (public), newest first; filter by q (title), category, currency, minPrice, maxPrice",
  request: { query: pageQuery.extend(catalogQuery.shape) },
  responses: { 200: jsonContent(listEnvelope(listingSchema), "a page of the catalog"), ...errorResponses("VAL001") },
});

const getRoute = createRoute({
  tags,
  method: "get",
  path: "/catalog/{id}",
  summary: "One approved listing (public)",
  request: { params: listingIdParam },
  responses: { 200: jsonContent(envelope(listingSchema), "the listing"), ...errorResponses("RES001") },
});

export const catalogRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const { page, perPage, ...filters } = c.req.valid("query");
    const { items, total } = await listListings(db(c.env.DB), { ...filters, status: "approved" }, pageWindow({ page, perPage }));
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(getRoute, async (c) => {
    const row = await findListing(db(c.env.DB), c.req.valid("param").id);
    if (!row || !PUBLIC_LISTING_STATUSES.includes(row.status)) throw fail.notFound("Listing");
    return ok(c, await viewOf(c.env, row), 200);
  });

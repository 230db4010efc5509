// GET /catalog: the public marketplace — approved listings of active sellers, public fields only (CatalogListing),
// with filters (text, category, currency, price).
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, envelope, listEnvelope, openRoute } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { db } from "../db/client";
import { findCatalogListing, listCatalog } from "../db/listings";
import { catalogListingSchema, catalogQuery, listingIdParam } from "../schemas/listings";
import { publicRoute } from "../lib/auth";

const listRoute = createRoute({
  ...openRoute("Marketplace", publicRoute()),
  method: "get",
  path: "/catalog",
  summary:
    "Approved listings of active sellers (public fields only), newest first; " +
    "filter by q (title), category, currency, minPrice, maxPrice",
  request: { query: pageQuery.extend(catalogQuery.shape) },
  responses: answers(200, listEnvelope(catalogListingSchema), "a page of the catalog", "VAL001"),
});

const getRoute = createRoute({
  ...openRoute("Marketplace", publicRoute()),
  method: "get",
  path: "/catalog/{id}",
  summary: "One approved listing (public)",
  request: { params: listingIdParam },
  responses: answers(200, envelope(catalogListingSchema), "the listing", "RES001"),
});

export const catalogRoutes = createRouter()
  .openapi(listRoute, async (c) => {
    const { page, perPage, ...filters } = c.req.valid("query");
    const { items, total } = await listCatalog(db(c.env.DB), filters, pageWindow({ page, perPage }));
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(getRoute, async (c) => {
    const listing = await findCatalogListing(db(c.env.DB), c.req.valid("param").id);
    if (!listing) throw fail.notFound("Listing");
    return ok(c, listing, 200);
  });

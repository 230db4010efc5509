// Admin moderation of marketplace listings: the review queue, approve, reject, request more information. Each
// decision is a command of the listing's ListingRoom (state, event and admin audit row written together).
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireAdmin, requireScope } from "../lib/auth";
import { db } from "../db/client";
import { findListing, listListings, listingView } from "../db/listings";
import type { Moderation } from "../domain/listing-machine";
import { listingRoom } from "../../durable-objects/listing-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { listingIdParam, listingSchema, listingStatusQuery, requiredReasonBody, reviewBody } from "../schemas/listings";

const adminRead = bearerRoute(["Marketplace", "Admin"], requireScope("admin:read"), requireAdmin());
const adminWrite = bearerRoute(["Marketplace", "Admin"], requireScope("admin:write"), requireAdmin());

const queueRoute = createRoute({
  ...adminRead,
  method: "get",
  path: "/admin/listings",
  summary: "Every listing (filter by status, e.g. under_review for the review queue)",
  request: { query: pageQuery.extend(listingStatusQuery.shape) },
  responses: answers(200, listEnvelope(listingSchema), "a page of listings", "AUTH003", "AUTH004"),
});

const action = (path: string, summary: string, body: typeof reviewBody | typeof requiredReasonBody) =>
  createRoute({
    ...adminWrite,
    method: "post",
    path,
    summary,
    request: { params: listingIdParam, body: jsonBody(body) },
    responses: answers(200, envelope(listingSchema), "the listing", "AUTH003", "AUTH004", "RES001", "RES002"),
  });

const approveRoute = action("/admin/listings/{id}/approve", "Approve: the listing appears in the catalog", reviewBody);
const rejectRoute = action(
  "/admin/listings/{id}/reject",
  "Reject with a reason (the seller may edit and resubmit)",
  requiredReasonBody,
);
const infoRoute = action(
  "/admin/listings/{id}/request-info",
  "Ask the seller for more information (back to draft with the question)",
  requiredReasonBody,
);

async function moderate(c: Context<AppEnv>, id: string, kind: Moderation, reason: string | undefined) {
  const principal = principalOf(c);
  if (!(await findListing(db(c.env.DB), id))) throw fail.notFound("Listing");
  const caller = { userId: principal.userId, isAdmin: true };
  return listingView(unwrap(await listingRoom(c.env, id).moderate(id, caller, kind, reason ?? null)));
}

export const adminListingRoutes = createRouter()
  .openapi(queueRoute, async (c) => {
    const { page, perPage, status } = c.req.valid("query");
    const { items, total } = await listListings(db(c.env.DB), { status }, pageWindow({ page, perPage }));
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(approveRoute, async (c) =>
    ok(c, await moderate(c, c.req.valid("param").id, "approve", c.req.valid("json").reason), 200),
  )
  .openapi(rejectRoute, async (c) =>
    ok(c, await moderate(c, c.req.valid("param").id, "reject", c.req.valid("json").reason), 200),
  )
  .openapi(infoRoute, async (c) =>
    ok(c, await moderate(c, c.req.valid("param").id, "request_info", c.req.valid("json").reason), 200),
  );

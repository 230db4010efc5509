// /listings: a seller's marketplace listings — create, list their own, read, edit and delete drafts, submit for
// review, attach proofs (R2). Every change goes to the listing's ListingRoom (its single writer); reads come from
// the D1 projection.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, listEnvelope, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireScope, requireVerifiedEmail } from "../lib/auth";
import { newId } from "../lib/ids";
import { GIF, JPEG, PDF, PNG, WEBP, sniffFileType } from "../lib/image-type";
import type { Bindings, Principal } from "../env";
import { db } from "../db/client";
import { findListing, listListings, listingView } from "../db/listings";
import { assertListingAction, type ListingState } from "../domain/listing-machine";
import { listingRoom, type ListingCaller } from "../../durable-objects/listing-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import {
  createListingBody,
  listingIdParam,
  listingSchema,
  listingStatusQuery,
  patchListingBody,
} from "../schemas/listings";
import { isAdmin } from "../domain/scopes";
import { addListingProof } from "../services/listings/add-listing-proof";
import { deleteListing } from "../services/listings/delete-listing";

const read = bearerRoute("Marketplace", requireScope("listings:read"));
const write = bearerRoute("Marketplace", requireScope("listings:write"));
const PROOF_TYPES = [PNG, JPEG, WEBP, GIF, PDF];
const PROOF_MAX_BYTES = 10 * 1024 * 1024;

const callerOf = (p: Principal): ListingCaller => ({ userId: p.userId, isAdmin: isAdmin(p) });

/** The listing for its seller or an admin; RES001 for anyone else (the catalog is the public view). */
async function ownListing(env: Bindings, principal: Principal, id: string): Promise<ListingState> {
  const row = await findListing(db(env.DB), id);
  if (!row || (row.sellerId !== principal.userId && !isAdmin(principal))) throw fail.notFound("Listing");
  return row;
}

const one = (summary: string, method: "get" | "post", path: string) =>
  createRoute({
    ...(method === "get" ? read : write),
    method,
    path,
    summary,
    request: { params: listingIdParam },
    responses: answers(200, envelope(listingSchema), "the listing", "AUTH003", "AUTH004", "RES001", "RES002"),
  });

const createListingRoute = createRoute({
  // Selling is acting as someone others pay: only under an address the seller proved (AUTH006 otherwise).
  ...bearerRoute("Marketplace", requireScope("listings:write"), requireVerifiedEmail()),
  method: "post",
  path: "/listings",
  summary: "Create a listing (draft) as its seller",
  request: { body: jsonBody(createListingBody) },
  responses: answers(201, envelope(listingSchema), "the draft", "AUTH003", "AUTH004", "AUTH006"),
});
const listRoute = createRoute({
  ...read,
  method: "get",
  path: "/listings",
  summary: "Your listings, newest first",
  request: { query: pageQuery.extend(listingStatusQuery.shape) },
  responses: answers(200, listEnvelope(listingSchema), "a page of listings", "AUTH004"),
});
const getRoute = one("One of your listings (sellers and admins)", "get", "/listings/{id}");
const patchRoute = createRoute({
  ...write,
  method: "patch",
  path: "/listings/{id}",
  summary: "Edit a draft or rejected listing",
  request: { params: listingIdParam, body: jsonBody(patchListingBody) },
  responses: answers(200, envelope(listingSchema), "the listing", "AUTH003", "AUTH004", "RES001", "RES002"),
});
const deleteRoute = createRoute({
  ...write,
  method: "delete",
  path: "/listings/{id}",
  summary: "Delete a draft or rejected listing (and its proofs)",
  request: { params: listingIdParam },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001", "RES002"),
});
const submitRoute = one("Submit for review (draft or rejected → under_review)", "post", "/listings/{id}/submit");
const proofRoute = createRoute({
  ...write,
  method: "post",
  path: "/listings/{id}/proofs",
  summary: "Attach a proof (multipart/form-data field `file`; PNG, JPEG, WebP, GIF or PDF, ≤ 10 MiB) to a draft",
  request: { params: listingIdParam },
  responses: answers(
    201,
    envelope(listingSchema),
    "the listing with the proof",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
    "VAL003",
    "VAL004",
  ),
});

export const listingRoutes = createRouter()
  .openapi(createListingRoute, async (c) => {
    const principal = principalOf(c);
    const input = c.req.valid("json");
    const id = newId("lst");
    const created = unwrap(
      await listingRoom(c.env, id).create({
        id,
        sellerId: principal.userId,
        title: input.title,
        description: input.description,
        category: input.category,
        priceAmount: input.price.amount,
        currency: input.price.currency,
      }),
    );
    return ok(c, listingView(created), 201);
  })
  .openapi(listRoute, async (c) => {
    const principal = principalOf(c);
    const { page, perPage, status } = c.req.valid("query");
    const { items, total } = await listListings(
      db(c.env.DB),
      { sellerId: principal.userId, status },
      pageWindow({ page, perPage }),
    );
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(getRoute, async (c) => {
    return ok(c, listingView(await ownListing(c.env, principalOf(c), c.req.valid("param").id)), 200);
  })
  .openapi(patchRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json") as z.infer<typeof patchListingBody>;
    await ownListing(c.env, principal, id);
    return ok(c, listingView(unwrap(await listingRoom(c.env, id).edit(id, callerOf(principal), patch))), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    await ownListing(c.env, principal, id);
    await deleteListing(c.env, callerOf(principal), id);
    return ok(c, { id, deleted: true as const }, 200);
  })
  .openapi(submitRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    await ownListing(c.env, principal, id);
    return ok(c, listingView(unwrap(await listingRoom(c.env, id).submit(id, callerOf(principal)))), 200);
  })
  .openapi(proofRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const row = await ownListing(c.env, principal, id);
    // Decide what can be decided before reading the upload (the room re-checks when it records the proof).
    assertListingAction("add_proof", row.status, row.sellerId === principal.userId ? "seller" : "admin");
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
      throw new ApiError("VAL004", "Send the proof as multipart/form-data field `file`");
    }
    const file = (await c.req.formData()).get("file");
    if (!(file instanceof File))
      throw fail.invalid([{ path: "file", message: "a file field named `file` is required" }]);
    if (file.size === 0) throw fail.invalid([{ path: "file", message: "the file is empty" }]);
    if (file.size > PROOF_MAX_BYTES) throw new ApiError("VAL003", `Proofs are at most ${PROOF_MAX_BYTES} bytes`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const type = sniffFileType(bytes, PROOF_TYPES);
    if (!type) throw new ApiError("VAL004", "Proofs must be PNG, JPEG, WebP, GIF or PDF");
    const listing = await addListingProof(c.env, callerOf(principal), id, { name: file.name, bytes, type });
    return ok(c, listingView(listing), 201);
  });

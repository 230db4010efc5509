// zod/OpenAPI schemas of the listing, admin-listing and catalog routes.
import { z } from "@hono/zod-openapi";
import { CURRENCIES } from "../domain/money";
import { LISTING_STATUSES } from "../domain/listing-machine";
import { attachmentSchema } from "./contracts";
import { oneLine } from "../domain/one-line-text";

export const listingIdParam = z.object({
  id: z
    .string()
    .regex(/^lst_[0-9A-Za-z]{20}$/, "expected a lst_ id")
    .openapi({ param: { name: "id", in: "path" }, example: "lst_3xY9aBcDeFgHiJkLmNoP" }),
});

const price = z.object({ amount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), currency: z.enum(CURRENCIES) });

export const listingSchema = z
  .object({
    id: z.string(),
    sellerId: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    price: z.object({ amount: z.number().int(), currency: z.string() }),
    status: z.enum(LISTING_STATUSES),
    reviewNote: z.string().nullable(),
    escrowId: z.string().nullable(),
    // A proof is stored and described like a contract attachment (the same file record).
    proofs: z.array(attachmentSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
    submittedAt: z.string().nullable(),
    approvedAt: z.string().nullable(),
    soldAt: z.string().nullable(),
  })
  .openapi("Listing");

/**
 * The public catalog's view of a listing: public fields only (no proof names or hashes, review note, escrow or
 * seller id).
 */
export const catalogListingSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    price: z.object({ amount: z.number().int().openapi({ description: "integer minor units" }), currency: z.string() }),
    status: z.enum(LISTING_STATUSES).openapi({ description: "always approved in the catalog" }),
    seller: z.object({ displayName: z.string() }).openapi({ description: "the seller's public profile" }),
    proofCount: z
      .number()
      .int()
      .min(0)
      .openapi({ description: "how many proofs of ownership the seller gave the reviewers" }),
    approvedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("CatalogListing");

export const createListingBody = z.object({
  // One line: it becomes notification titles and email subjects.
  title: z.string().trim().min(3).max(200).superRefine(oneLine),
  description: z.string().trim().min(1).max(10_000),
  category: z.string().trim().toLowerCase().min(1).max(50),
  price,
});

export const patchListingBody = createListingBody
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export const listingStatusQuery = z.object({ status: z.enum(LISTING_STATUSES).optional() });

export const catalogQuery = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  category: z.string().trim().toLowerCase().max(50).optional(),
  currency: z.enum(CURRENCIES).optional(),
  minPrice: z.coerce.number().int().min(0).optional(),
  maxPrice: z.coerce.number().int().min(0).optional(),
});

export const reviewBody = z.object({ reason: z.string().trim().min(1).max(2_000).optional() });
export const requiredReasonBody = z.object({ reason: z.string().trim().min(1).max(2_000) });

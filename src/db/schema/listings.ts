// Marketplace listings and their proof files (bytes in R2 under listings/<id>/proofs/): the D1 projection of each
// listing's ListingRoom, its single writer (durable-objects/listing-room.ts); `revision` orders the projections.
import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { LISTING_STATUSES } from "../../domain/events";

export const listings = sqliteTable(
  "listings",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    category: text("category").notNull(),
    priceAmount: integer("price_amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: LISTING_STATUSES }).notNull(),
    reviewNote: text("review_note"),
    escrowId: text("escrow_id"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    submittedAt: text("submitted_at"),
    approvedAt: text("approved_at"),
    soldAt: text("sold_at"),
    revision: integer("revision").notNull().default(0),
  },
  (t) => [
    index("listings_seller_idx").on(t.sellerId, t.createdAt),
    index("listings_status_idx").on(t.status, t.createdAt),
    index("listings_catalog_idx").on(t.status, t.category, t.priceAmount),
  ],
);

export const listingProofs = sqliteTable(
  "listing_proofs",
  {
    id: text("id").primaryKey(),
    listingId: text("listing_id").notNull(),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("listing_proofs_listing_idx").on(t.listingId)],
);

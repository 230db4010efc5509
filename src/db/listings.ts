// Listings in D1, the projection of each ListingRoom: the statements that project a listing's state, reads for
// sellers and admins (full view), and the public catalog (approved listings of active sellers, public fields only).
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, sql, type SQL } from "drizzle-orm";
import { containsText } from "./text-match";
import { db, type Database } from "./client";
import { selectInChunks } from "./chunks";
import { listingProofs, listings } from "./schema/listings";
import { users } from "./schema/identity";
import {
  PUBLIC_LISTING_STATUSES,
  type ListingProof,
  type ListingState,
  type ListingStatus,
} from "../domain/listing-machine";
import { auditInsert, type AuditEntry } from "../lib/audit";
import type { Statement } from "./contracts-projection";
import type { z } from "@hono/zod-openapi";
import { listingSchema } from "../schemas/listings";
import { viewPicker } from "../lib/view";

export type ListingRow = typeof listings.$inferSelect;
export type ProofRow = typeof listingProofs.$inferSelect;

const listingFields = viewPicker(listingSchema);

/** The listing as its seller and admins see it (API.md "Listing", schemas/listings.ts listingSchema). */
export function listingView(s: ListingState): z.infer<typeof listingSchema> {
  return listingFields({ ...s, price: { amount: s.priceAmount, currency: s.currency } });
}
export type ListingView = z.infer<typeof listingSchema>;

/**
 * A listing as the public catalog shows it: what a buyer needs to decide, nothing more — no proof names or
 * hashes (only how many proofs the seller gave), no review note, no escrow, and the seller as a display name.
 */
export function catalogView(s: ListingState, seller: { displayName: string }) {
  return {
    id: s.id,
    title: s.title,
    description: s.description,
    category: s.category,
    price: { amount: s.priceAmount, currency: s.currency },
    status: s.status,
    seller: { displayName: seller.displayName },
    proofCount: s.proofs.length,
    approvedAt: s.approvedAt,
    createdAt: s.createdAt,
  };
}
export type CatalogView = ReturnType<typeof catalogView>;

function stateOf(row: ListingRow, proofs: ProofRow[]): ListingState {
  return {
    id: row.id,
    sellerId: row.sellerId,
    title: row.title,
    description: row.description,
    category: row.category,
    priceAmount: row.priceAmount,
    currency: row.currency,
    status: row.status,
    reviewNote: row.reviewNote,
    escrowId: row.escrowId,
    proofs: proofs.map(({ listingId: _l, ...p }): ListingProof => p),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    submittedAt: row.submittedAt,
    approvedAt: row.approvedAt,
    soldAt: row.soldAt,
    deletedAt: null,
  };
}

/** The projected listing (for seller/admin reads and for adopting a listing written before ListingRoom). */
export async function findListing(database: Database, id: string): Promise<ListingState | null> {
  const row = await database.select().from(listings).where(eq(listings.id, id)).get();
  return row ? stateOf(row, await proofsOf(database, id)) : null;
}

async function proofsOf(database: Database, id: string): Promise<ProofRow[]> {
  return database
    .select()
    .from(listingProofs)
    .where(eq(listingProofs.listingId, id))
    .orderBy(asc(listingProofs.createdAt))
    .all();
}

async function withProofs(database: Database, rows: ListingRow[]): Promise<ListingState[]> {
  const ids = rows.map((r) => r.id);
  const proofs = await selectInChunks(ids, (chunk) =>
    database.select().from(listingProofs).where(inArray(listingProofs.listingId, chunk)).all(),
  );
  return rows.map((r) =>
    stateOf(
      r,
      proofs.filter((p) => p.listingId === r.id).sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    ),
  );
}

export interface ListingFilters {
  sellerId?: string;
  status?: ListingStatus;
  category?: string;
  currency?: string;
  minPrice?: number;
  maxPrice?: number;
  q?: string;
}

function whereOf(filters: ListingFilters): SQL[] {
  const clauses: SQL[] = [];
  if (filters.sellerId) clauses.push(eq(listings.sellerId, filters.sellerId));
  if (filters.status) clauses.push(eq(listings.status, filters.status));
  if (filters.category) clauses.push(eq(listings.category, filters.category));
  if (filters.currency) clauses.push(eq(listings.currency, filters.currency));
  if (filters.minPrice !== undefined) clauses.push(gte(listings.priceAmount, filters.minPrice));
  if (filters.maxPrice !== undefined) clauses.push(lte(listings.priceAmount, filters.maxPrice));
  if (filters.q) clauses.push(containsText(listings.title, filters.q));
  return clauses;
}

/** Seller's own or admin's list (full view), newest first. */
export async function listListings(
  database: Database,
  filters: ListingFilters,
  window: { limit: number; offset: number },
) {
  const clauses = whereOf(filters);
  const where = clauses.length ? and(...clauses) : undefined;
  const [rows, totals] = await Promise.all([
    database
      .select()
      .from(listings)
      .where(where)
      .orderBy(desc(listings.createdAt), desc(listings.id))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(listings).where(where).get(),
  ]);
  return { items: (await withProofs(database, rows)).map(listingView), total: totals?.n ?? 0 };
}

/** Only an active seller's listings are public: an erased or suspended seller's leave the catalog. */
const activeSeller = and(eq(users.suspended, false), isNull(users.deletedAt))!;

/** The public catalog: approved listings of active sellers, newest first, public fields only. */
export async function listCatalog(
  database: Database,
  filters: Omit<ListingFilters, "sellerId" | "status">,
  window: { limit: number; offset: number },
) {
  const where = and(inArray(listings.status, [...PUBLIC_LISTING_STATUSES]), activeSeller, ...whereOf(filters));
  const [rows, totals] = await Promise.all([
    database
      .select({ listing: listings, sellerName: users.name })
      .from(listings)
      .innerJoin(users, eq(users.id, listings.sellerId))
      .where(where)
      .orderBy(desc(listings.createdAt), desc(listings.id))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(listings).innerJoin(users, eq(users.id, listings.sellerId)).where(where).get(),
  ]);
  const states = await withProofs(
    database,
    rows.map((r) => r.listing),
  );
  return { items: states.map((s, i) => catalogView(s, { displayName: rows[i]!.sellerName })), total: totals?.n ?? 0 };
}

/** One listing of the public catalog, or null (not approved, unknown, or its seller is erased or suspended). */
export async function findCatalogListing(database: Database, id: string): Promise<CatalogView | null> {
  const row = await database
    .select({ listing: listings, sellerName: users.name })
    .from(listings)
    .innerJoin(users, eq(users.id, listings.sellerId))
    .where(and(eq(listings.id, id), inArray(listings.status, [...PUBLIC_LISTING_STATUSES]), activeSeller))
    .get();
  if (!row) return null;
  return catalogView(stateOf(row.listing, await proofsOf(database, id)), { displayName: row.sellerName });
}

/**
 * The idempotent D1 statements that project `s` at `revision` (an older revision never overwrites a newer one);
 * a deleted listing's rows go away. `audit` adds a row to the admin audit log in the same batch (its id is fixed
 * now, so a retried batch does not write it twice).
 */
export function listingProjection(d1: D1Database, s: ListingState, revision: number, audit?: AuditEntry): Statement[] {
  const database = db(d1);
  const out: { toSQL(): { sql: string; params: unknown[] } }[] = [];
  if (s.deletedAt) {
    out.push(
      database.delete(listings).where(eq(listings.id, s.id)),
      database.delete(listingProofs).where(eq(listingProofs.listingId, s.id)),
    );
  } else {
    const row = {
      id: s.id,
      sellerId: s.sellerId,
      title: s.title,
      description: s.description,
      category: s.category,
      priceAmount: s.priceAmount,
      currency: s.currency,
      status: s.status,
      reviewNote: s.reviewNote,
      escrowId: s.escrowId,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      submittedAt: s.submittedAt,
      approvedAt: s.approvedAt,
      soldAt: s.soldAt,
      revision,
    };
    const { id: _id, ...updates } = row;
    out.push(
      database
        .insert(listings)
        .values(row)
        .onConflictDoUpdate({ target: listings.id, set: updates, setWhere: sql`${listings.revision} <= ${revision}` }),
    );
    // Proofs are only ever added (a listing holds ≤ 20): one small insert each, existing ones left alone.
    for (const p of s.proofs)
      out.push(
        database
          .insert(listingProofs)
          .values({ ...p, listingId: s.id })
          .onConflictDoNothing(),
      );
  }
  if (audit) out.push(auditInsert({ DB: d1 }, audit).onConflictDoNothing());
  return out.map((q) => {
    const { sql: text, params } = q.toSQL();
    return { sql: text, params };
  });
}

// Listings in D1: reads for owners, admins and the public catalog, and status changes as conditional UPDATEs
// on the expected status (a lost race changes nothing and reports false).
import { and, asc, count, desc, eq, gte, inArray, like, lte, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { listingProofs, listings } from "./schema/listings";
import type { ListingEventType, ListingStatus } from "../domain/listing-machine";
import type { Bindings } from "../env";
import { publishEvent } from "../lib/events";

export type ListingRow = typeof listings.$inferSelect;
export type ProofRow = typeof listingProofs.$inferSelect;

export function listingView(row: ListingRow, proofs: ProofRow[]) {
  return {
    id: row.id,
    sellerId: row.sellerId,
    title: row.title,
    description: row.description,
    category: row.category,
    price: { amount: row.priceAmount, currency: row.currency },
    status: row.status,
    reviewNote: row.reviewNote,
    escrowId: row.escrowId,
    proofs: proofs.map(({ listingId: _l, ...p }) => p),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    submittedAt: row.submittedAt,
    approvedAt: row.approvedAt,
    soldAt: row.soldAt,
  };
}
export type ListingView = ReturnType<typeof listingView>;

export async function findListing(database: Database, id: string): Promise<ListingRow | null> {
  return (await database.select().from(listings).where(eq(listings.id, id)).get()) ?? null;
}

export async function proofsOf(database: Database, id: string): Promise<ProofRow[]> {
  return database.select().from(listingProofs).where(eq(listingProofs.listingId, id)).orderBy(asc(listingProofs.createdAt)).all();
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

export async function listListings(database: Database, filters: ListingFilters, window: { limit: number; offset: number }) {
  const clauses: SQL[] = [];
  if (filters.sellerId) clauses.push(eq(listings.sellerId, filters.sellerId));
  if (filters.status) clauses.push(eq(listings.status, filters.status));
  if (filters.category) clauses.push(eq(listings.category, filters.category));
  if (filters.currency) clauses.push(eq(listings.currency, filters.currency));
  if (filters.minPrice !== undefined) clauses.push(gte(listings.priceAmount, filters.minPrice));
  if (filters.maxPrice !== undefined) clauses.push(lte(listings.priceAmount, filters.maxPrice));
  // LIKE with the wildcards of the user's text escaped.
  if (filters.q) clauses.push(like(listings.title, `%${filters.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`));
  const where = clauses.length ? and(...clauses) : undefined;
  const [rows, totals] = await Promise.all([
    database.select().from(listings).where(where).orderBy(desc(listings.createdAt), desc(listings.id)).limit(window.limit).offset(window.offset).all(),
    database.select({ n: count() }).from(listings).where(where).get(),
  ]);
  const proofs = rows.length ? await database.select().from(listingProofs).where(inArray(listingProofs.listingId, rows.map((r) => r.id))).all() : [];
  return { items: rows.map((r) => listingView(r, proofs.filter((p) => p.listingId === r.id))), total: totals?.n ?? 0 };
}

/** Moves a listing from `from` to a new status (plus fields) only if it still is in `from`. */
export async function transitionListing(
  database: Database,
  id: string,
  from: readonly ListingStatus[],
  set: Partial<Omit<ListingRow, "id">> & { status?: ListingStatus },
): Promise<ListingRow | null> {
  const rows = await database
    .update(listings)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(and(eq(listings.id, id), inArray(listings.status, [...from])))
    .returning();
  return rows[0] ?? null;
}

/** Announces a listing change (catalog event) to its seller. */
export function publishListingEvent(env: Bindings, type: ListingEventType, row: ListingRow, actorId: string | null, reason?: string) {
  return publishEvent(env, {
    type,
    data: { listingId: row.id, status: row.status, title: row.title, ...(reason ? { reason } : {}) },
    actorId,
    subject: { type: "listing", id: row.id },
    audience: [row.sellerId],
  });
}

// The escrows projection: the idempotent upsert EscrowRoom ships through its outbox, and the reads routes use.
import { and, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { db, type Database } from "./client";
import { escrows, paymentEvents } from "./schema/escrows";
import type { EscrowState, EscrowStatus, PaymentStatus, PayoutStatus } from "../domain/escrow-machine";
import type { EscrowView } from "../domain/escrow-view";
import type { Statement } from "./contracts-projection";

type EscrowRow = typeof escrows.$inferSelect;

export function escrowProjection(d1: D1Database, s: EscrowState, revision: number): Statement[] {
  const row = {
    id: s.id,
    status: s.status,
    buyerId: s.buyerId,
    sellerId: s.sellerId,
    listingId: s.listingId,
    contractId: s.contractId,
    amount: s.amount,
    currency: s.currency,
    commission: s.commission,
    sellerPayout: s.sellerPayout,
    description: s.description,
    inspectionPeriodHours: s.inspectionPeriodHours,
    paymentProvider: s.payment.provider,
    paymentReference: s.payment.reference,
    paymentStatus: s.payment.status,
    payoutStatus: s.payout.status,
    deliveredAt: s.deliveredAt,
    inspectionEndsAt: s.inspectionEndsAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    fundedAt: s.fundedAt,
    releasedAt: s.releasedAt,
    completedAt: s.completedAt,
    refundedAt: s.refundedAt,
    disputedAt: s.disputedAt,
    disputeReason: s.disputeReason,
    revision,
  };
  const { id: _id, ...updates } = row;
  const q = db(d1)
    .insert(escrows)
    .values(row)
    .onConflictDoUpdate({ target: escrows.id, set: updates, setWhere: sql`${escrows.revision} <= ${revision}` })
    .toSQL();
  return [{ sql: q.sql, params: q.params }];
}

function rowView(r: EscrowRow): EscrowView {
  return {
    id: r.id,
    status: r.status,
    buyerId: r.buyerId,
    sellerId: r.sellerId,
    listingId: r.listingId,
    contractId: r.contractId,
    amount: r.amount,
    currency: r.currency,
    commission: r.commission,
    sellerPayout: r.sellerPayout,
    description: r.description,
    inspectionPeriodHours: r.inspectionPeriodHours,
    payment: { provider: r.paymentProvider, reference: r.paymentReference, status: r.paymentStatus as PaymentStatus },
    payout: { status: r.payoutStatus as PayoutStatus },
    deliveredAt: r.deliveredAt,
    inspectionEndsAt: r.inspectionEndsAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    fundedAt: r.fundedAt,
    releasedAt: r.releasedAt,
    completedAt: r.completedAt,
    refundedAt: r.refundedAt,
    disputedAt: r.disputedAt,
    disputeReason: r.disputeReason,
  };
}

export async function findEscrow(database: Database, id: string): Promise<EscrowView | null> {
  const row = await database.select().from(escrows).where(eq(escrows.id, id)).get();
  return row ? rowView(row) : null;
}

/** A page of escrows: a party's own (as buyer or seller), or every one for an admin (`userId` null). */
export async function listEscrows(
  database: Database,
  userId: string | null,
  filters: { status?: EscrowStatus; role?: "buyer" | "seller" },
  window: { limit: number; offset: number },
): Promise<{ items: EscrowView[]; total: number }> {
  const clauses: SQL[] = [];
  if (userId) {
    if (filters.role === "buyer") clauses.push(eq(escrows.buyerId, userId));
    else if (filters.role === "seller") clauses.push(eq(escrows.sellerId, userId));
    else clauses.push(or(eq(escrows.buyerId, userId), eq(escrows.sellerId, userId))!);
  }
  if (filters.status) clauses.push(eq(escrows.status, filters.status));
  const where = clauses.length ? and(...clauses) : undefined;
  const [rows, totals] = await Promise.all([
    database.select().from(escrows).where(where).orderBy(desc(escrows.createdAt), desc(escrows.id)).limit(window.limit).offset(window.offset).all(),
    database.select({ n: count() }).from(escrows).where(where).get(),
  ]);
  return { items: rows.map(rowView), total: totals?.n ?? 0 };
}

/** Records a provider event once; false when this event id was already stored (a replay). */
export async function recordPaymentEvent(
  database: Database,
  event: { id: string; provider: string; type: string; reference: string | null; escrowId: string | null; outcome: string },
): Promise<boolean> {
  const inserted = await database
    .insert(paymentEvents)
    .values({ ...event, receivedAt: new Date().toISOString() })
    .onConflictDoNothing()
    .returning({ id: paymentEvents.id });
  return inserted.length > 0;
}

export async function setPaymentEventOutcome(database: Database, id: string, outcome: string): Promise<void> {
  await database.update(paymentEvents).set({ outcome }).where(eq(paymentEvents.id, id));
}

// The escrows projection: the idempotent upserts EscrowRoom ships through its outbox (escrow, unmatched payments,
// freeing its hold and contract link), the reads routes use, buyers' holds and contract links, payment events.
import { and, count, desc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { db, type Database } from "./client";
import { escrowContractLinks, escrowHolds, escrows, paymentEvents, unmatchedPayments } from "./schema/escrows";
import {
  advances,
  CHARGE_FLOW,
  type ChargeRefundStatus,
  type EscrowState,
  type EscrowStatus,
  type PayoutStatus,
  type UnmatchedReason,
} from "../domain/escrow-machine";
import { escrowFields, type EscrowView } from "../domain/escrow-view";
import { columnPicker, viewPicker } from "../lib/view";
import { unmatchedPaymentSchema } from "../schemas/escrows";
import type { Statement } from "./contracts-projection";

type EscrowRow = typeof escrows.$inferSelect;

const escrowColumns = columnPicker(escrows);

export function escrowProjection(d1: D1Database, s: EscrowState, revision: number): Statement[] {
  const row = escrowColumns({
    ...s,
    paymentProvider: s.payment.provider,
    paymentReference: s.payment.reference,
    paymentStatus: s.payment.status,
    payoutStatus: s.payout.status,
    revision,
  });
  const { id: _id, ...updates } = row;
  const q = db(d1)
    .insert(escrows)
    .values(row)
    .onConflictDoUpdate({ target: escrows.id, set: updates, setWhere: sql`${escrows.revision} <= ${revision}` })
    .toSQL();
  const out: Statement[] = [{ sql: q.sql, params: q.params }];
  // Leaving pending frees the buyer's hold; ending unfunded frees the contract for another escrow. Both idempotent.
  if (s.status !== "pending")
    out.push(toStatement(db(d1).delete(escrowHolds).where(eq(escrowHolds.escrowId, s.id)).toSQL()));
  if (s.status === "cancelled" || s.status === "expired") {
    out.push(toStatement(db(d1).delete(escrowContractLinks).where(eq(escrowContractLinks.escrowId, s.id)).toSQL()));
  }
  return out;
}

const toStatement = (q: { sql: string; params: unknown[] }): Statement => ({ sql: q.sql, params: q.params });

/** Upserts of the escrow's unmatched charges (none for most escrows), guarded by the room's revision. */
export function unmatchedPaymentsProjection(d1: D1Database, s: EscrowState, revision: number): Statement[] {
  return s.charges
    .filter((c) => c.status !== "funded")
    .map((c) => {
      const row = {
        id: c.id,
        escrowId: s.id,
        reference: c.reference,
        provider: s.payment.provider,
        amount: c.amount,
        currency: c.currency,
        reason: c.reason ?? "already_funded",
        state: c.status,
        lastError: c.lastError,
        receivedAt: c.receivedAt,
        updatedAt: c.updatedAt,
        refundedAt: c.refundedAt,
        revision,
      };
      const { id: _id, ...updates } = row;
      return toStatement(
        db(d1)
          .insert(unmatchedPayments)
          .values(row)
          .onConflictDoUpdate({
            target: unmatchedPayments.id,
            set: updates,
            setWhere: sql`${unmatchedPayments.revision} <= ${revision}`,
          })
          .toSQL(),
      );
    });
}

export type UnmatchedPaymentRow = typeof unmatchedPayments.$inferSelect;

const unmatchedPaymentFields = viewPicker(unmatchedPaymentSchema);

/** API.md's unmatched payment (schemas/escrows.ts unmatchedPaymentSchema). */
export function unmatchedPaymentView(r: UnmatchedPaymentRow) {
  return unmatchedPaymentFields({
    ...r,
    state: r.state as ChargeRefundStatus,
    reason: r.reason as UnmatchedReason,
  });
}

/** A page of unmatched payments, newest first, optionally in one state. */
export async function listUnmatchedPayments(
  database: Database,
  state: string | undefined,
  window: { limit: number; offset: number },
) {
  const where = state ? eq(unmatchedPayments.state, state) : undefined;
  const [rows, totals] = await Promise.all([
    database
      .select()
      .from(unmatchedPayments)
      .where(where)
      .orderBy(desc(unmatchedPayments.receivedAt), desc(unmatchedPayments.id))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(unmatchedPayments).where(where).get(),
  ]);
  return { items: rows.map(unmatchedPaymentView), total: totals?.n ?? 0 };
}

export async function findUnmatchedPayment(database: Database, id: string): Promise<UnmatchedPaymentRow | null> {
  return (await database.select().from(unmatchedPayments).where(eq(unmatchedPayments.id, id)).get()) ?? null;
}

/**
 * Records a charge for a reference that names no escrow of ours as an unmatched payment to refund (escrowId null,
 * reason unknown_reference, refund_pending). A repeat for the same reference changes nothing.
 * @returns the stored row (the first one's, for a repeat), or null when the reference is recorded against an escrow
 */
export async function recordUnknownCharge(
  database: Database,
  charge: { id: string; reference: string; provider: string; amount: number; currency: string; at: string },
): Promise<UnmatchedPaymentRow | null> {
  await database
    .insert(unmatchedPayments)
    .values({
      id: charge.id,
      escrowId: null,
      reference: charge.reference,
      provider: charge.provider,
      amount: charge.amount,
      currency: charge.currency,
      reason: "unknown_reference",
      state: "refund_pending",
      lastError: null,
      receivedAt: charge.at,
      updatedAt: charge.at,
      refundedAt: null,
      revision: 0,
    })
    .onConflictDoNothing({ target: unmatchedPayments.reference });
  return findUnknownCharge(database, charge.reference);
}

/** The unmatched payment of a reference that names no escrow (RES001-worthy null when there is none). */
export async function findUnknownCharge(database: Database, reference: string): Promise<UnmatchedPaymentRow | null> {
  return (
    (await database
      .select()
      .from(unmatchedPayments)
      .where(and(eq(unmatchedPayments.reference, reference), isNull(unmatchedPayments.escrowId)))
      .get()) ?? null
  );
}

/**
 * Moves an escrow-less unmatched payment along CHARGE_FLOW (domain/escrow-machine.ts) in one guarded statement:
 * refund_failed → refund_pending (a retry), refund_pending → refunded | refund_failed (the provider's answer).
 * @returns the row after the move, or null when it was not in a state the move starts from (late or repeated)
 */
export async function moveUnknownCharge(
  database: Database,
  reference: string,
  to: ChargeRefundStatus,
  error: string | null,
  at: string,
): Promise<UnmatchedPaymentRow | null> {
  const from = (Object.keys(CHARGE_FLOW) as ChargeRefundStatus[]).filter((f) => advances(CHARGE_FLOW, f, to));
  if (from.length === 0) return null;
  const moved = await database
    .update(unmatchedPayments)
    .set({
      state: to,
      lastError: to === "refund_failed" ? error : null,
      updatedAt: at,
      ...(to === "refunded" ? { refundedAt: at } : {}),
    })
    .where(
      and(
        eq(unmatchedPayments.reference, reference),
        isNull(unmatchedPayments.escrowId),
        inArray(unmatchedPayments.state, from),
      ),
    )
    .returning()
    .all();
  return moved[0] ?? null;
}

/**
 * Takes one of the buyer's `max` holds on unfunded escrows, atomically: a single conditional INSERT (D1 runs one
 * statement at a time), so concurrent opens cannot exceed the cap. False when the buyer is at the cap.
 */
export async function takeEscrowHold(
  d1: D1Database,
  hold: { escrowId: string; buyerId: string; now: string },
  max: number,
): Promise<boolean> {
  const res = await d1
    .prepare(
      `INSERT INTO escrow_holds (escrow_id, buyer_id, created_at)
       SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM escrow_holds WHERE buyer_id = ?2) < ?4`,
    )
    .bind(hold.escrowId, hold.buyerId, hold.now, max)
    .run();
  return res.meta.changes === 1;
}

export async function releaseEscrowHold(database: Database, escrowId: string): Promise<void> {
  await database.delete(escrowHolds).where(eq(escrowHolds.escrowId, escrowId));
}

/** Claims `contractId` for `escrowId` (its primary key makes it one escrow per contract); false when taken. */
export async function claimContractLink(database: Database, contractId: string, escrowId: string): Promise<boolean> {
  const rows = await database
    .insert(escrowContractLinks)
    .values({ contractId, escrowId })
    .onConflictDoNothing()
    .returning();
  return rows.length > 0;
}

export async function releaseContractLink(database: Database, contractId: string, escrowId: string): Promise<void> {
  await database
    .delete(escrowContractLinks)
    .where(and(eq(escrowContractLinks.contractId, contractId), eq(escrowContractLinks.escrowId, escrowId)));
}

export function rowView(r: EscrowRow): EscrowView {
  return escrowFields({
    ...r,
    payment: { provider: r.paymentProvider, reference: r.paymentReference, status: r.paymentStatus },
    payout: { status: r.payoutStatus },
  });
}

export async function findEscrow(database: Database, id: string): Promise<EscrowView | null> {
  const row = await database.select().from(escrows).where(eq(escrows.id, id)).get();
  return row ? rowView(row) : null;
}

/** A page of escrows: a party's own (as buyer or seller), or every one for an admin (`userId` null). */
export async function listEscrows(
  database: Database,
  userId: string | null,
  filters: { status?: EscrowStatus; role?: "buyer" | "seller"; payoutStatus?: PayoutStatus[] },
  window: { limit: number; offset: number },
): Promise<{ items: EscrowView[]; total: number }> {
  const clauses: SQL[] = [];
  if (userId) {
    if (filters.role === "buyer") clauses.push(eq(escrows.buyerId, userId));
    else if (filters.role === "seller") clauses.push(eq(escrows.sellerId, userId));
    else clauses.push(or(eq(escrows.buyerId, userId), eq(escrows.sellerId, userId))!);
  }
  if (filters.status) clauses.push(eq(escrows.status, filters.status));
  if (filters.payoutStatus?.length) clauses.push(inArray(escrows.payoutStatus, filters.payoutStatus));
  const where = clauses.length ? and(...clauses) : undefined;
  const [rows, totals] = await Promise.all([
    database
      .select()
      .from(escrows)
      .where(where)
      .orderBy(desc(escrows.createdAt), desc(escrows.id))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(escrows).where(where).get(),
  ]);
  return { items: rows.map(rowView), total: totals?.n ?? 0 };
}

/**
 * Records a provider event (outcome "processing") unless it is already stored. Answers whether it still needs
 * processing: true when new or left "processing" by an attempt that failed midway (the room is idempotent, so
 * processing it again applies it at most once), false when it was processed (a replay).
 */
export async function recordPaymentEvent(
  database: Database,
  event: {
    id: string;
    provider: string;
    type: string;
    reference: string | null;
    escrowId: string | null;
    outcome: string;
  },
): Promise<boolean> {
  const inserted = await database
    .insert(paymentEvents)
    .values({ ...event, receivedAt: new Date().toISOString() })
    .onConflictDoNothing()
    .returning({ id: paymentEvents.id });
  if (inserted.length > 0) return true;
  const stored = await database
    .select({ outcome: paymentEvents.outcome })
    .from(paymentEvents)
    .where(eq(paymentEvents.id, event.id))
    .get();
  return stored?.outcome === "processing";
}

export async function setPaymentEventOutcome(database: Database, id: string, outcome: string): Promise<void> {
  await database.update(paymentEvents).set({ outcome }).where(eq(paymentEvents.id, id));
}

// D1 projection of EscrowRoom (one row per escrow and one per unmatched payment, written only by the room's outbox),
// the payment provider's webhook events (a log; the room decides idempotence), buyers' holds and contract links.
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ESCROW_STATUSES } from "../../domain/events";

export const escrows = sqliteTable(
  "escrows",
  {
    id: text("id").primaryKey(),
    status: text("status", { enum: ESCROW_STATUSES }).notNull(),
    buyerId: text("buyer_id").notNull(),
    sellerId: text("seller_id").notNull(),
    listingId: text("listing_id"),
    contractId: text("contract_id"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    commission: integer("commission").notNull(),
    sellerPayout: integer("seller_payout").notNull(),
    description: text("description").notNull(),
    inspectionPeriodHours: integer("inspection_period_hours").notNull(),
    paymentProvider: text("payment_provider").notNull(),
    paymentReference: text("payment_reference"),
    paymentStatus: text("payment_status").notNull(),
    payoutStatus: text("payout_status").notNull(),
    deliveredAt: text("delivered_at"),
    inspectionEndsAt: text("inspection_ends_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    fundedAt: text("funded_at"),
    releasedAt: text("released_at"),
    completedAt: text("completed_at"),
    refundedAt: text("refunded_at"),
    disputedAt: text("disputed_at"),
    disputeReason: text("dispute_reason"),
    revision: integer("revision").notNull(),
  },
  (t) => [
    index("escrows_buyer_idx").on(t.buyerId, t.createdAt),
    index("escrows_seller_idx").on(t.sellerId, t.createdAt),
    index("escrows_status_idx").on(t.status, t.createdAt),
    index("escrows_listing_idx").on(t.listingId),
    index("escrows_contract_idx").on(t.contractId),
    index("escrows_created_idx").on(t.createdAt),
    index("escrows_funded_idx").on(t.fundedAt, t.currency, t.amount),
  ],
);

/** Every provider webhook event we accepted (signature valid), once per provider event id. */
export const paymentEvents = sqliteTable(
  "payment_events",
  {
    /** `<provider>:<event key>`; the key is the provider's event id or, failing one, a digest of the raw body. */
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    type: text("type").notNull(),
    reference: text("reference"),
    escrowId: text("escrow_id"),
    /** What we did with it: funded, flagged, ignored, … (for operators). */
    outcome: text("outcome").notNull(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [index("payment_events_escrow_idx").on(t.escrowId)],
);

/**
 * Successful charges that funded nothing (superseded or duplicate reference, amount/currency mismatch, escrow
 * cancelled or expired): a projection of the EscrowRoom's charge records, for operators and their refund.
 */
export const unmatchedPayments = sqliteTable(
  "unmatched_payments",
  {
    /** `pay_…` */
    id: text("id").primaryKey(),
    /** null: a charge for a reference we never issued (reason unknown_reference; migration 0039) */
    escrowId: text("escrow_id"),
    reference: text("reference").notNull(),
    provider: text("provider").notNull(),
    /** integer minor units */
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    /** refund_pending | refunded | refund_failed */
    state: text("state").notNull(),
    lastError: text("last_error"),
    receivedAt: text("received_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    refundedAt: text("refunded_at"),
    revision: integer("revision").notNull(),
  },
  (t) => [
    uniqueIndex("unmatched_payments_reference_idx").on(t.reference),
    index("unmatched_payments_state_idx").on(t.state, t.receivedAt),
  ],
);

/**
 * One row per unfunded escrow of a buyer: taken by a conditional INSERT when the escrow opens (so the cap on
 * unfunded reservations holds under concurrency), deleted by the room's projection once the escrow leaves pending.
 */
export const escrowHolds = sqliteTable(
  "escrow_holds",
  {
    escrowId: text("escrow_id").primaryKey(),
    buyerId: text("buyer_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("escrow_holds_buyer_idx").on(t.buyerId)],
);

/** A contract binds at most one escrow (its primary key): claimed when the escrow opens, freed on cancel/expiry. */
export const escrowContractLinks = sqliteTable("escrow_contract_links", {
  contractId: text("contract_id").primaryKey(),
  escrowId: text("escrow_id").notNull(),
});

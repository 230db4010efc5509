// The escrow as API.md shows it to parties and admins: built from the room's state or the D1 row alike.
import type { EscrowState, EscrowStatus, PaymentStatus, PayoutStatus } from "./escrow-machine";

export interface EscrowView {
  id: string;
  status: EscrowStatus;
  buyerId: string;
  sellerId: string;
  listingId: string | null;
  contractId: string | null;
  amount: number;
  currency: string;
  commission: number;
  sellerPayout: number;
  description: string;
  inspectionPeriodHours: number;
  payment: { provider: string; reference: string | null; status: PaymentStatus };
  payout: { status: PayoutStatus };
  deliveredAt: string | null;
  inspectionEndsAt: string | null;
  createdAt: string;
  updatedAt: string;
  fundedAt: string | null;
  releasedAt: string | null;
  completedAt: string | null;
  refundedAt: string | null;
  disputedAt: string | null;
  disputeReason: string | null;
}

export function escrowView(s: EscrowState): EscrowView {
  return {
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
    payment: { provider: s.payment.provider, reference: s.payment.reference, status: s.payment.status },
    payout: { status: s.payout.status },
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
  };
}

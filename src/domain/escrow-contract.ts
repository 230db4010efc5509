// The agreement an escrow generates: the starter template it uses and its variables, written from the escrow's
// own terms so the contract states what the escrow does (price in major units with the currency's sign, the
// commission and the seller's payout from the one money rule, the inspection period in words).
import { formatMoneySymbol, splitAmount } from "./money";

/** The starter template (src/domain/starter-templates.ts) every escrow's contract is generated from. */
export const ESCROW_CONTRACT_TEMPLATE = "tpl_StarterEscrowSale000";

export interface EscrowContractTerms {
  buyer: { name: string; email: string };
  seller: { name: string; email: string };
  description: string;
  /** integer minor units (kobo, cents) */
  amount: number;
  currency: string;
  /** commission in basis points (250 = 2.5 %), ESCROW_COMMISSION_BPS */
  commissionBps: number;
  inspectionPeriodHours: number;
}

/** "2.5%" from 250 bps; whole numbers without decimals ("10%"). */
export function formatBps(bps: number): string {
  return `${(bps / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
}

/** "72 hours (3 days)", "1 hour", "36 hours (1.5 days)": hours as set on the escrow, with days when they help. */
export function formatHours(hours: number): string {
  const h = `${hours} hour${hours === 1 ? "" : "s"}`;
  if (hours < 24) return h;
  const days = Number((hours / 24).toFixed(1));
  return `${h} (${days} day${days === 1 ? "" : "s"})`;
}

/** The template's variables for an escrow; commission rounded by money.ts (half up), payout = price − commission. */
export function escrowContractVariables(t: EscrowContractTerms): Record<string, string> {
  const split = splitAmount(t.amount, t.commissionBps);
  const money = (amount: number) => formatMoneySymbol({ amount, currency: t.currency });
  return {
    sellerName: t.seller.name,
    sellerEmail: t.seller.email,
    buyerName: t.buyer.name,
    buyerEmail: t.buyer.email,
    goods: t.description,
    price: money(split.amount),
    commissionRate: formatBps(t.commissionBps),
    commission: money(split.commission),
    sellerPayout: money(split.sellerPayout),
    inspectionPeriod: formatHours(t.inspectionPeriodHours),
  };
}

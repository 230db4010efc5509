// Money rules: integer minor units per ISO 4217 currency, commission in basis points rounded in exactly one
// place (commissionOf, half up), and the seller's payout as what is left. Never floats.

/** Minor units per currency we accept (kobo, pesewas, cents…). A currency not listed here is refused. */
export const CURRENCY_MINOR_UNITS = {
  NGN: 2,
  GHS: 2,
  KES: 2,
  ZAR: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  XOF: 0,
  JPY: 0,
} as const;
export type Currency = keyof typeof CURRENCY_MINOR_UNITS;
export const CURRENCIES = Object.keys(CURRENCY_MINOR_UNITS) as [Currency, ...Currency[]];

export const MAX_BPS = 10_000;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_MINOR_UNITS, code);
}

export function minorUnits(currency: Currency): number {
  return CURRENCY_MINOR_UNITS[currency];
}

/** Parses the configured rate (ESCROW_COMMISSION_BPS); a missing or bad value is a deployment error. */
export function parseBps(raw: string | undefined): number {
  const bps = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isInteger(bps) || bps < 0 || bps > MAX_BPS) {
    throw new Error(`ESCROW_COMMISSION_BPS must be an integer 0..${MAX_BPS}, got ${JSON.stringify(raw)}`);
  }
  return bps;
}

/**
 * THE rounding function: amount · bps / 10 000, rounded half up (0.5 minor unit → 1). BigInt so a large amount
 * times the rate cannot lose precision beyond 2^53.
 */
export function commissionOf(amount: number, bps: number): number {
  assertMinor(amount);
  if (!Number.isInteger(bps) || bps < 0 || bps > MAX_BPS) throw new RangeError("bps must be an integer 0..10000");
  const scaled = BigInt(amount) * BigInt(bps);
  return Number((scaled + 5_000n) / 10_000n);
}

export interface Split {
  amount: number;
  commission: number;
  sellerPayout: number;
}

/** The escrow's split: commission by the one rounding rule, the seller gets the rest (so parts always sum). */
export function splitAmount(amount: number, bps: number): Split {
  const commission = commissionOf(amount, bps);
  return { amount, commission, sellerPayout: amount - commission };
}

export function assertMinor(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError("amount must be a non-negative safe integer (minor units)");
}

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
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new RangeError("amount must be a non-negative safe integer (minor units)");
}

/** The sign a reader expects before an amount (₦ naira, ₵ cedi…); currencies without one use their code. */
export const CURRENCY_SYMBOLS: Record<string, string> = {
  NGN: "\u20a6",
  GHS: "\u20b5",
  KES: "KSh ",
  ZAR: "R ",
  USD: "$",
  EUR: "\u20ac",
  GBP: "\u00a3",
  XOF: "CFA ",
  JPY: "\u00a5",
};

/** Decimals of a currency: ours from CURRENCY_MINOR_UNITS, any other ISO code from Intl (2 when unknown). */
function decimalsOf(currency: string): number {
  if (isCurrency(currency)) return minorUnits(currency);
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Integer minor units as major units with grouping and the currency's decimals: 15000000 NGN → "150,000.00". */
export function majorUnits(value: { amount: number; currency: string }): string {
  const digits = decimalsOf(value.currency);
  const sign = value.amount < 0 ? "-" : "";
  const abs = BigInt(Math.abs(value.amount));
  const scale = 10n ** BigInt(digits);
  const grouped = (abs / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${digits > 0 ? `.${(abs % scale).toString().padStart(digits, "0")}` : ""}`;
}

/** "NGN 1,234,567.89": the ISO code and major units (tables, CSV, where symbols are ambiguous). */
export function formatMoney(value: { amount: number; currency: string }): string {
  return `${value.currency} ${majorUnits(value)}`;
}

/** "₦1,234,567.89": the currency's symbol and major units, as a contract states a price. */
export function formatMoneySymbol(value: { amount: number; currency: string }): string {
  return `${CURRENCY_SYMBOLS[value.currency] ?? `${value.currency} `}${majorUnits(value)}`;
}

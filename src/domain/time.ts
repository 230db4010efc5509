// Instants (pure): RFC 3339 parsing with any offset, the canonical UTC form every stored time uses
// (`YYYY-MM-DDTHH:MM:SS.sssZ`, what Date#toISOString writes), and comparisons by instant rather than by text.

/**
 * RFC 3339 §5.6 date-time: full date, `T` (or `t`/space is not accepted), time with optional fraction of any length,
 * and an offset `Z`/`z` or `±HH:MM`. Leap seconds (`:60`) are refused: JavaScript instants cannot hold them.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Accepted years 0001–9999 keep the canonical form fixed-width, so text order = time order. */
const MIN_MS = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses an RFC 3339 date-time with any offset into epoch milliseconds.
 * Fractions beyond milliseconds are truncated (instants are kept to the millisecond).
 * @returns epoch ms, or null when the text is not a valid RFC 3339 date-time (incl. impossible dates like 02-30)
 */
export function parseInstant(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, ms);
  // Date rolls 02-30 over into March: a day that does not exist in its month is refused, not moved.
  if (local.getUTCDate() !== day || local.getUTCMonth() !== month - 1) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const offH = Number(m[10]);
    const offM = Number(m[11]);
    if (offH > 23 || offM > 59) return null;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offH * 60 + offM);
  }
  const epoch = local.getTime() - offsetMinutes * 60_000;
  return epoch >= MIN_MS && epoch <= MAX_MS ? epoch : null;
}

/** The canonical UTC form of an instant: `2026-11-30T02:43:58.000Z`. */
export function toUtc(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * Re-states a stored or received time in the canonical UTC form; leaves a value it cannot parse unchanged (so a
 * read path never throws on legacy data). Accepts anything RFC 3339, plus what Date.parse reads as a fallback.
 */
export function normalizeInstant(text: string): string;
export function normalizeInstant(text: string | null): string | null;
export function normalizeInstant(text: string | null): string | null {
  if (text === null) return null;
  const ms = parseInstant(text) ?? Date.parse(text);
  return Number.isNaN(ms) ? text : toUtc(ms);
}

/** Epoch ms of a stored time (any RFC 3339 offset); NaN when unparseable. Use it for every comparison of times. */
export function instantMs(text: string): number {
  return parseInstant(text) ?? Date.parse(text);
}

/** True when `deadline` (a stored time) is at or before `now` (a stored time or epoch ms). */
export function hasPassed(deadline: string, now: string | number): boolean {
  return instantMs(deadline) <= (typeof now === "number" ? now : instantMs(now));
}

export const INSTANT_RULE =
  "RFC 3339 date-time with an offset (Z, +05:30, -08:00…), fractional seconds allowed (kept to the millisecond); " +
  "stored and answered in UTC as YYYY-MM-DDTHH:MM:SS.sssZ";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * An instant as a person reads it, with its UTC offset spelled out: "30 November 2026, 09:15:00 UTC+00:00".
 * Documents state UTC so every reader, in any zone, sees the same time; the offset says so unambiguously.
 * @param iso an ISO 8601 instant; returned unchanged when it does not parse
 */
export function humanInstant(iso: string): string {
  const ms = parseInstant(iso);
  if (ms === null) return iso;
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC+00:00`
  );
}

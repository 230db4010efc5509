// Canonical JSON (RFC 8785 style): sorted keys, no whitespace, so the same value always hashes the same.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Serialises a JSON value deterministically. Object keys are sorted by UTF-16 code units (as RFC 8785),
 * `undefined` properties are dropped (as JSON.stringify does), and values JSON cannot represent
 * faithfully (NaN, Infinity, functions, bigint, undefined at the top level) are refused rather than
 * silently rewritten, because a hash over a lossy form would prove the wrong thing.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise ${typeof value}`);
  }
}

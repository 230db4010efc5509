// RFC 3339 instants: any offset in, one canonical UTC form out; comparisons by instant, never by text.
import { describe, expect, it } from "vitest";
import { hasPassed, normalizeInstant, parseInstant } from "../../src/domain/time";

describe("parseInstant", () => {
  it("reads negative, positive and zero offsets as the same instant", () => {
    const utc = Date.UTC(2026, 10, 30, 18, 0, 0);
    expect(parseInstant("2026-11-30T18:00:00Z")).toBe(utc);
    expect(parseInstant("2026-11-30T10:00:00-08:00")).toBe(utc);
    expect(parseInstant("2026-11-30T23:30:00+05:30")).toBe(utc);
    expect(parseInstant("2026-12-01T01:00:00+07:00")).toBe(utc);
    expect(parseInstant("2026-11-30t18:00:00z")).toBe(utc);
  });

  it("keeps fractions to the millisecond (truncated)", () => {
    expect(parseInstant("2026-11-30T18:00:00.1Z")).toBe(Date.UTC(2026, 10, 30, 18, 0, 0, 100));
    expect(parseInstant("2026-11-30T18:00:00.123999999-00:30")).toBe(Date.UTC(2026, 10, 30, 18, 30, 0, 123));
  });

  it("refuses what is not one instant", () => {
    for (const bad of [
      "2026-11-30T18:00:00",
      "2026-11-30",
      "2026-02-29T00:00:00Z",
      "2026-11-30T18:00:60Z",
      "2026-11-30T18:00:00+1:00",
      "2026-13-01T00:00:00Z",
      "now",
    ]) {
      expect(parseInstant(bad), bad).toBeNull();
    }
    expect(parseInstant("2028-02-29T00:00:00Z")).toBe(Date.UTC(2028, 1, 29));
  });
});

describe("normalizeInstant and hasPassed", () => {
  it("restates any offset in the canonical UTC form and leaves unparseable legacy text alone", () => {
    expect(normalizeInstant("2026-11-30T10:00:00-08:00")).toBe("2026-11-30T18:00:00.000Z");
    expect(normalizeInstant(null)).toBeNull();
    expect(normalizeInstant("garbage")).toBe("garbage");
  });

  it("compares instants, not text", () => {
    // As text "2026-11-30T08:14…" > "2026-11-30T02:45…"; as instants 08:14+05:30 (02:44Z) is earlier.
    expect(hasPassed("2026-11-30T08:14:00+05:30", "2026-11-30T02:45:00.000Z")).toBe(true);
    expect(hasPassed("2026-11-29T21:45:00-08:00", "2026-11-30T02:45:00.000Z")).toBe(false);
  });
});

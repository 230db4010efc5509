import { describe, expect, it } from "vitest";
import { commissionOf, isCurrency, minorUnits, parseBps, splitAmount } from "../../src/domain/money";

describe("money", () => {
  it("rounds the commission half up, in one place", () => {
    expect(commissionOf(10_000, 250)).toBe(250); // exact
    expect(commissionOf(10, 250)).toBe(0); // 0.25 → 0
    expect(commissionOf(20, 250)).toBe(1); // 0.5 → 1 (half up)
    expect(commissionOf(30, 250)).toBe(1); // 0.75 → 1
    expect(commissionOf(199, 500)).toBe(10); // 9.95 → 10
    expect(commissionOf(0, 500)).toBe(0);
    expect(commissionOf(1_000, 10_000)).toBe(1_000);
  });

  it("keeps precision for amounts beyond 2^53 / 10 000", () => {
    const amount = 9_007_199_254_740_991; // MAX_SAFE_INTEGER
    expect(commissionOf(amount, 1)).toBe(900_719_925_474); // 900719925474.0991 → 900719925474
  });

  it("seller payout is amount − commission, so parts always sum", () => {
    for (const amount of [1, 19, 20, 999, 123_457, 10_000_000]) {
      const s = splitAmount(amount, 250);
      expect(s.commission + s.sellerPayout).toBe(amount);
      expect(s.sellerPayout).toBeGreaterThanOrEqual(0);
    }
    expect(splitAmount(500_000, 250)).toEqual({ amount: 500_000, commission: 12_500, sellerPayout: 487_500 });
  });

  it("rejects floats, negatives and out-of-range rates", () => {
    expect(() => commissionOf(10.5, 250)).toThrow(RangeError);
    expect(() => commissionOf(-1, 250)).toThrow(RangeError);
    expect(() => commissionOf(100, 10_001)).toThrow(RangeError);
    expect(() => commissionOf(100, 2.5)).toThrow(RangeError);
  });

  it("knows minor units per currency and refuses unknown ones", () => {
    expect(minorUnits("NGN")).toBe(2);
    expect(minorUnits("JPY")).toBe(0);
    expect(isCurrency("NGN")).toBe(true);
    expect(isCurrency("XYZ")).toBe(false);
    expect(isCurrency("toString")).toBe(false);
  });

  it("parses the configured rate strictly", () => {
    expect(parseBps("250")).toBe(250);
    expect(parseBps("0")).toBe(0);
    for (const bad of [undefined, "", "2.5", "-1", "10001", "abc"]) expect(() => parseBps(bad)).toThrow();
  });
});

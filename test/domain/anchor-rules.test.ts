// Anchoring rules: fee headroom and replacement bumps nodes accept, confirmation counting, stuck/lost timing, cost.
import { describe, expect, it } from "vitest";
import {
  batchCostWei,
  bumpFees,
  confirmationsOf,
  elapsedAtLeast,
  feesFromColumns,
  feesToColumns,
  isConfirmed,
  withHeadroom,
  type Fees,
} from "../../src/domain/anchor-rules";

const gwei = (n: number) => BigInt(n) * 1_000_000_000n;

describe("fees", () => {
  it("adds 50% headroom to maxFeePerGas (never below the tip) and 20% to a legacy price", () => {
    expect(withHeadroom({ type: "eip1559", maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) })).toEqual({
      type: "eip1559",
      maxFeePerGas: gwei(15),
      maxPriorityFeePerGas: gwei(1),
    });
    expect(withHeadroom({ type: "eip1559", maxFeePerGas: 1n, maxPriorityFeePerGas: 5n })).toMatchObject({
      maxFeePerGas: 5n,
    });
    expect(withHeadroom({ type: "legacy", gasPrice: gwei(10) })).toEqual({ type: "legacy", gasPrice: gwei(12) });
  });

  it("bumps a replacement by at least 25% on both fields, or to the current market if higher", () => {
    const previous: Fees = { type: "eip1559", maxFeePerGas: gwei(20), maxPriorityFeePerGas: gwei(2) };
    const calm: Fees = { type: "eip1559", maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) };
    expect(bumpFees(previous, calm)).toEqual({
      type: "eip1559",
      maxFeePerGas: gwei(25),
      maxPriorityFeePerGas: 2_500_000_000n,
    });
    const spike: Fees = { type: "eip1559", maxFeePerGas: gwei(100), maxPriorityFeePerGas: gwei(5) };
    expect(bumpFees(previous, spike)).toEqual(spike);
    // Tiny values still strictly increase (a +25% of 1 wei rounds up, never to the same value).
    expect(
      bumpFees(
        { type: "eip1559", maxFeePerGas: 1n, maxPriorityFeePerGas: 0n },
        { type: "eip1559", maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      ),
    ).toEqual({
      type: "eip1559",
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
    });
    expect(bumpFees({ type: "legacy", gasPrice: gwei(8) }, { type: "legacy", gasPrice: gwei(1) })).toEqual({
      type: "legacy",
      gasPrice: gwei(10),
    });
  });

  it("round-trips through the batch columns", () => {
    const f: Fees = { type: "eip1559", maxFeePerGas: gwei(3), maxPriorityFeePerGas: gwei(1) };
    const cols = feesToColumns(f);
    expect(feesFromColumns(cols.maxFeePerGas, cols.maxPriorityFeePerGas)).toEqual(f);
    const legacy = feesToColumns({ type: "legacy", gasPrice: 7n });
    expect(feesFromColumns(legacy.maxFeePerGas, legacy.maxPriorityFeePerGas)).toEqual({ type: "legacy", gasPrice: 7n });
    expect(feesFromColumns(null, null)).toBeNull();
  });
});

describe("confirmations", () => {
  it("counts the block itself as the first confirmation", () => {
    expect(confirmationsOf(100n, 100n)).toBe(1);
    expect(confirmationsOf(105, 100)).toBe(6);
    expect(confirmationsOf(99n, 100n)).toBe(0);
    expect(isConfirmed(2, 2)).toBe(true);
    expect(isConfirmed(1, 2)).toBe(false);
  });
});

describe("timing and cost", () => {
  it("measures elapsed time from an ISO timestamp", () => {
    const now = new Date("2026-11-22T12:10:00.000Z");
    expect(elapsedAtLeast("2026-11-22T12:00:00.000Z", now, 10 * 60_000)).toBe(true);
    expect(elapsedAtLeast("2026-11-22T12:00:01.000Z", now, 10 * 60_000)).toBe(false);
    expect(elapsedAtLeast(null, now, 1)).toBe(true);
  });

  it("prices a batch as gasUsed × effectiveGasPrice in wei, exactly, beyond 2^53", () => {
    expect(batchCostWei("22280", "1000000000")).toBe("22280000000000");
    expect(batchCostWei("30000000", "900000000000000")).toBe("27000000000000000000000");
    expect(batchCostWei(null, "1")).toBeNull();
  });
});

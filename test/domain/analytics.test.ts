// The pure part of the analytics rollups: which days of a window the daily rollups answer and which are read live.
import { describe, expect, it } from "vitest";
import { analyticsWindow, rollupPlan, shiftDay } from "../../src/domain/analytics";

describe("rollupPlan", () => {
  it("reads the partial first and last day live and the whole days between from the rollups", () => {
    const w = analyticsWindow("month", new Date("2026-11-30T10:15:00.000Z"));
    expect(w.startDate).toBe("2026-10-31T10:15:00.000Z");
    expect(rollupPlan(w)).toEqual({
      live: [
        ["2026-10-31T10:15:00.000Z", "2026-10-31T~"],
        ["2026-11-30", "2026-11-30T10:15:00.000Z"],
      ],
      firstDay: "2026-11-01",
      lastDay: "2026-11-29",
    });
  });

  it("reads an hourly series (period=day) and a window without a whole day all live", () => {
    const day = analyticsWindow("day", new Date("2026-11-30T10:15:00.000Z"));
    const plan = rollupPlan(day);
    expect(plan.live).toEqual([[day.startDate, day.endDate]]);
    expect(plan.firstDay > plan.lastDay).toBe(true);
    const short = { startDate: "2026-11-29T23:00:00.000Z", endDate: "2026-11-30T01:00:00.000Z", granularity: "day" };
    expect(rollupPlan(short as never).live).toEqual([[short.startDate, short.endDate]]);
  });

  it("the live bound of a day sorts after each of its instants and before the next day", () => {
    const [, hi] = rollupPlan(analyticsWindow("week", new Date("2026-03-01T12:00:00.000Z"))).live[0]!;
    expect("2026-02-22T23:59:59.999Z" <= hi).toBe(true);
    expect("2026-02-23T00:00:00.000Z" > hi).toBe(true);
    expect(shiftDay("2028-02-28", 1)).toBe("2028-02-29");
    expect(shiftDay("2026-01-01", -1)).toBe("2025-12-31");
  });
});

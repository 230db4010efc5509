// The pure part of the analytics rollups: which days of a window the daily rollups answer and which are read live.
import { describe, expect, it } from "vitest";
import { analyticsWindow, monthPlan, rollupPlan, shiftDay } from "../../src/domain/analytics";

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

describe("monthPlan", () => {
  it("reads whole calendar months from the monthly rows and the days around them from the daily rows", () => {
    const plan = rollupPlan(analyticsWindow("year", new Date("2026-11-30T10:15:00.000Z")));
    expect(plan).toMatchObject({ firstDay: "2025-12-01", lastDay: "2026-11-29" });
    expect(monthPlan(plan)).toEqual({
      days: [["2026-11-01", "2026-11-29"]],
      firstMonth: "2025-12",
      lastMonth: "2026-10",
    });
    const quarter = rollupPlan(analyticsWindow("quarter", new Date("2026-03-31T23:00:00.000Z")));
    expect(quarter).toMatchObject({ firstDay: "2025-12-31", lastDay: "2026-03-30" });
    expect(monthPlan(quarter)).toEqual({
      days: [
        ["2025-12-31", "2025-12-31"],
        ["2026-03-01", "2026-03-30"],
      ],
      firstMonth: "2026-01",
      lastMonth: "2026-02",
    });
  });

  it("has no month when the whole days fill none", () => {
    const plan = rollupPlan(analyticsWindow("month", new Date("2026-11-30T10:15:00.000Z")));
    expect(monthPlan(plan)).toEqual({
      days: [["2026-11-01", "2026-11-29"]],
      firstMonth: "9999-12",
      lastMonth: "0000-01",
    });
    const week = rollupPlan(analyticsWindow("week", new Date("2026-11-10T10:15:00.000Z")));
    expect(monthPlan(week).firstMonth > monthPlan(week).lastMonth).toBe(true);
  });
});

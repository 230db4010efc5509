// Analytics, the pure part: the window and series granularity of each dashboard period, and the shaping of the
// aggregates src/db/analytics.ts computes into the dashboard and usage figures.
import { bucketsBetween, hours, rate, type Granularity, type Period } from "./reports";

export const USAGE_GROUPS = ["user", "team", "document_type"] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];
/** Groups listed by GET /analytics/usage (largest first). */
export const USAGE_LIMIT = 100;

const DAY_MS = 86_400_000;
/** Rolling windows ending now, and the bucket of their series (one day by hour … one year by month). */
const WINDOWS: Record<Period, { days: number; granularity: Granularity }> = {
  day: { days: 1, granularity: "hour" },
  week: { days: 7, granularity: "day" },
  month: { days: 30, granularity: "day" },
  quarter: { days: 91, granularity: "week" },
  year: { days: 365, granularity: "month" },
};

export interface AnalyticsWindow {
  period: Period;
  startDate: string;
  endDate: string;
  granularity: Granularity;
}

/** The rolling window of `period` ending at `now`. */
export function analyticsWindow(period: Period, now: Date): AnalyticsWindow {
  const { days, granularity } = WINDOWS[period];
  return {
    period,
    startDate: new Date(now.getTime() - days * DAY_MS).toISOString(),
    endDate: now.toISOString(),
    granularity,
  };
}

export interface DashboardAggregates {
  /**
   * Per bucket: contracts created, sent and executed in it; of those sent, how many are executed by now; and the sum
   * of milliseconds from sending to execution of those executed (exact integers).
   */
  contracts: { bucket: string; created: number; sent: number; sentExecuted: number; executed: number; ms: number }[];
  escrowVolume: { currency: string; count: number; amount: number }[];
}

export function shapeDashboard(w: AnalyticsWindow, a: DashboardAggregates) {
  const sum = (pick: (r: DashboardAggregates["contracts"][number]) => number) =>
    a.contracts.reduce((s, r) => s + pick(r), 0);
  const executed = sum((r) => r.executed);
  const sent = sum((r) => r.sent);
  const byBucket = new Map(a.contracts.map((r) => [r.bucket, r]));
  return {
    window: w,
    summary: {
      contractsCreated: sum((r) => r.created),
      contractsSent: sent,
      contractsExecuted: executed,
      /** Of the contracts sent in the window, the share fully signed (executed) by now; null when none were sent. */
      signatureRate: rate(
        sum((r) => r.sentExecuted),
        sent,
      ),
      /** Mean hours from sending to execution of the contracts executed in the window. */
      averageHoursToExecute: executed ? hours(sum((r) => r.ms) / 3_600_000 / executed) : null,
      /** Funded in the window, minor units per currency. */
      escrowVolume: [...a.escrowVolume].sort((x, y) => (x.currency < y.currency ? -1 : 1)),
    },
    series: bucketsBetween(w.granularity, w.startDate, w.endDate, 1_000).map((bucket) => ({
      period: bucket,
      created: byBucket.get(bucket)?.created ?? 0,
      sent: byBucket.get(bucket)?.sent ?? 0,
      executed: byBucket.get(bucket)?.executed ?? 0,
    })),
  };
}

export interface UsageRow {
  key: string | null;
  label: string | null;
  created: number;
  sent: number;
  executed: number;
}

/** Groups by contracts created in the window (largest first); `null` key = no team. */
export function shapeUsage(w: AnalyticsWindow, groupBy: UsageGroup, rows: readonly UsageRow[], limit = USAGE_LIMIT) {
  const groups = [...rows]
    .sort((x, y) => y.created - x.created || String(x.key).localeCompare(String(y.key)))
    .map((r) => ({
      key: r.key,
      label: r.label ?? (r.key === null ? (groupBy === "team" ? "No team" : "Unknown") : r.key),
      contractsCreated: r.created,
      contractsSent: r.sent,
      contractsExecuted: r.executed,
      executionRate: rate(r.executed, r.sent),
    }));
  return { window: w, groupBy, groups: groups.slice(0, limit), truncated: groups.length > limit };
}

/**
 * Which part of a window the daily rollups answer and which part is read live: the rollups hold whole UTC days, so
 * the first and last (partial) day of the window are read from the source rows, and so is every dirty day in
 * between (the query adds those). An hourly series (period=day) is all live: a day's rollup has no hours.
 * `live` ranges are inclusive ISO-instant bounds; `firstDay`…`lastDay` (YYYY-MM-DD, inclusive) are the whole days,
 * none when firstDay > lastDay.
 */
export interface RollupPlan {
  live: [string, string][];
  firstDay: string;
  lastDay: string;
}

/** Sorts after every instant of a day ('YYYY-MM-DDT…'), before the next day. */
export const DAY_END = "T~";

export function rollupPlan(w: Pick<AnalyticsWindow, "startDate" | "endDate" | "granularity">): RollupPlan {
  const startDay = w.startDate.slice(0, 10);
  const endDay = w.endDate.slice(0, 10);
  const firstDay = shiftDay(startDay, 1);
  const lastDay = shiftDay(endDay, -1);
  if (w.granularity === "hour" || firstDay > lastDay) {
    return { live: [[w.startDate, w.endDate]], firstDay: "9999-12-31", lastDay: "0000-01-01" };
  }
  return {
    live: [
      [w.startDate, startDay + DAY_END],
      [endDay, w.endDate],
    ],
    firstDay,
    lastDay,
  };
}

/** `day` (YYYY-MM-DD) moved by `days` UTC days. */
export function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The whole days of a usage window split for the rollups: whole calendar months (`firstMonth`…`lastMonth`, YYYY-MM,
 * none when firstMonth > lastMonth) read from the monthly rows, the other whole days (`days`, inclusive YYYY-MM-DD
 * ranges) from the daily rows. A month with a dirty day is read from its daily rows instead (the query does that).
 */
export interface MonthPlan {
  days: [string, string][];
  firstMonth: string;
  lastMonth: string;
}

export function monthPlan(plan: RollupPlan): MonthPlan {
  const none: MonthPlan = { days: [[plan.firstDay, plan.lastDay]], firstMonth: "9999-12", lastMonth: "0000-01" };
  if (plan.firstDay > plan.lastDay) return none;
  const firstMonth = plan.firstDay.endsWith("-01") ? plan.firstDay.slice(0, 7) : monthAfter(plan.firstDay);
  const lastMonth = shiftDay(plan.lastDay, 1).endsWith("-01")
    ? plan.lastDay.slice(0, 7)
    : monthBefore(plan.lastDay.slice(0, 7));
  if (firstMonth > lastMonth) return none;
  const days: [string, string][] = [];
  const monthStart = `${firstMonth}-01`;
  const afterMonths = `${monthAfter(`${lastMonth}-01`)}-01`;
  if (plan.firstDay < monthStart) days.push([plan.firstDay, shiftDay(monthStart, -1)]);
  if (afterMonths <= plan.lastDay) days.push([afterMonths, plan.lastDay]);
  return { days, firstMonth, lastMonth };
}

/** The month (YYYY-MM) after the month of `day` (YYYY-MM-DD). */
function monthAfter(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 7);
}

function monthBefore(month: string): string {
  const d = new Date(`${month}-01T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

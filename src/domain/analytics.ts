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
  created: { bucket: string; n: number }[];
  sent: { bucket: string; n: number }[];
  executed: { bucket: string; n: number; hours: number | null }[];
  /** Of the contracts sent in the window: how many, and how many are executed by now. */
  sentCohort: { sent: number; executed: number };
  escrowVolume: { currency: string; count: number; amount: number }[];
}

export function shapeDashboard(w: AnalyticsWindow, a: DashboardAggregates) {
  const sum = (rows: readonly { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);
  const executed = sum(a.executed);
  const hoursTotal = a.executed.reduce((s, r) => s + (r.hours ?? 0), 0);
  const key = (rows: readonly { bucket: string; n: number }[]) => new Map(rows.map((r) => [r.bucket, r.n]));
  const [created, sent, done] = [key(a.created), key(a.sent), key(a.executed)];
  return {
    window: w,
    summary: {
      contractsCreated: sum(a.created),
      contractsSent: sum(a.sent),
      contractsExecuted: executed,
      /** Of the contracts sent in the window, the share fully signed (executed) by now; null when none were sent. */
      signatureRate: rate(a.sentCohort.executed, a.sentCohort.sent),
      /** Mean hours from sending to execution of the contracts executed in the window. */
      averageHoursToExecute: executed ? hours(hoursTotal / executed) : null,
      /** Funded in the window, minor units per currency. */
      escrowVolume: [...a.escrowVolume].sort((x, y) => (x.currency < y.currency ? -1 : 1)),
    },
    series: bucketsBetween(w.granularity, w.startDate, w.endDate, 1_000).map((bucket) => ({
      period: bucket,
      created: created.get(bucket) ?? 0,
      sent: sent.get(bucket) ?? 0,
      executed: done.get(bucket) ?? 0,
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

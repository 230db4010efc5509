// Reports and analytics, the pure part: kinds, formats, filters, who sees what (scope), period buckets, and the
// shaping of the aggregates src/db/reports.ts computes in SQL into the figures the API answers.
import { CONTRACT_STATUSES, ESCROW_STATUSES } from "./events";
import type { TeamRole } from "./team-roles";
import { isAdmin } from "./scopes";

export const REPORT_KINDS = ["contracts", "signatures", "activity", "escrows"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_FORMATS = ["csv", "xlsx", "pdf", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
/** queued → running → ready | failed; the cron removes rows past expiresAt whatever their status. */
export const REPORT_STATUSES = ["queued", "running", "ready", "failed"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const PERIODS = ["day", "week", "month", "quarter", "year"] as const;
export type Period = (typeof PERIODS)[number];
/** A bucket of a time series: a period, or an hour (the analytics dashboard of one day). */
export type Granularity = Period | "hour";

/** Filters as stored and applied: instants are canonical UTC strings (lib/time.ts). */
export interface ReportFilters {
  period: Period;
  startDate: string;
  endDate: string;
  teamId?: string;
  type?: string;
  status?: string;
}

/** A window longer than this many buckets is refused (a day-by-day series over ten years is not a report). */
export const MAX_BUCKETS = 750;
/** Without a startDate, a report covers this many days before endDate. */
export const DEFAULT_WINDOW_DAYS = 365;
const DAY_MS = 86_400_000;

/** The statuses a `status` filter may name for each kind (activity has none). */
export function statusesFor(kind: ReportKind): readonly string[] {
  if (kind === "escrows") return ESCROW_STATUSES;
  if (kind === "activity") return [];
  return CONTRACT_STATUSES;
}

export type FilterProblem = { path: string; message: string };

/**
 * Completes and checks the filters of a report request.
 * @param input instants already canonical UTC (lib/time.ts `instant()`); `now` the moment of the request
 * @returns the filters with a window (default: the DEFAULT_WINDOW_DAYS before endDate, endDate = now), or problems
 */
export function resolveFilters(
  kind: ReportKind,
  input: { period?: Period; startDate?: string; endDate?: string; teamId?: string; type?: string; status?: string },
  now: Date,
): { filters: ReportFilters } | { problems: FilterProblem[] } {
  const endDate = input.endDate ?? now.toISOString();
  const startDate = input.startDate ?? new Date(Date.parse(endDate) - DEFAULT_WINDOW_DAYS * DAY_MS).toISOString();
  const period = input.period ?? "month";
  const problems: FilterProblem[] = [];
  if (Date.parse(startDate) > Date.parse(endDate))
    problems.push({ path: "startDate", message: "must not be after endDate" });
  else if (bucketsBetween(period, startDate, endDate, MAX_BUCKETS + 1).length > MAX_BUCKETS) {
    problems.push({
      path: "period",
      message: `the window holds more than ${MAX_BUCKETS} ${period}s; use a longer period`,
    });
  }
  if (input.status !== undefined && !statusesFor(kind).includes(input.status)) {
    const allowed = statusesFor(kind);
    problems.push({
      path: "status",
      message: allowed.length ? `expected one of ${allowed.join(", ")}` : `the ${kind} report has no status filter`,
    });
  }
  if (problems.length) return { problems };
  const filters: ReportFilters = { period, startDate, endDate };
  if (input.teamId) filters.teamId = input.teamId;
  if (input.type) filters.type = input.type;
  if (input.status) filters.status = input.status;
  return { filters };
}

// ---- who sees what ----

/**
 * Whose contracts (and the escrows bound to them) a report covers: everything (platform admins), one team (its
 * members, or an admin naming it), or the caller's own plus every team they are in.
 */
export type DataScope = { kind: "all" } | { kind: "team"; teamId: string } | { kind: "user"; userId: string };
/** Whose activity rows a report lists: everyone, the members of some teams plus the caller, or the caller alone. */
export type PeopleScope =
  | { kind: "all" }
  | { kind: "teams"; userId: string; teamIds: string[] }
  | { kind: "self"; userId: string };

export interface ReportScope {
  data: DataScope;
  people: PeopleScope;
}

const TEAM_ADMIN_ROLES: readonly TeamRole[] = ["owner", "admin"];

/**
 * Visibility rule of issue 16.1: a user sees their own and their teams' data, a team's owners and admins see its
 * members' activity, platform admins see everything.
 * @param teamRoles the caller's memberships
 * @returns the scope, or "not_member" when `teamId` names a team the (non-admin) caller is not in
 */
export function decideReportScope(input: {
  role: "super_admin" | "admin" | "user" | "viewer";
  userId: string;
  teamRoles: readonly { teamId: string; role: TeamRole }[];
  teamId?: string;
}): ReportScope | "not_member" {
  const admin = isAdmin(input);
  const adminTeams = input.teamRoles.filter((t) => TEAM_ADMIN_ROLES.includes(t.role)).map((t) => t.teamId);
  if (input.teamId) {
    const membership = input.teamRoles.find((t) => t.teamId === input.teamId);
    if (!admin && !membership) return "not_member";
    const seesMembers = admin || (membership !== undefined && TEAM_ADMIN_ROLES.includes(membership.role));
    return {
      data: { kind: "team", teamId: input.teamId },
      people: seesMembers
        ? { kind: "teams", userId: input.userId, teamIds: [input.teamId] }
        : { kind: "self", userId: input.userId },
    };
  }
  if (admin) return { data: { kind: "all" }, people: { kind: "all" } };
  return {
    data: { kind: "user", userId: input.userId },
    people: adminTeams.length
      ? { kind: "teams", userId: input.userId, teamIds: adminTeams }
      : { kind: "self", userId: input.userId },
  };
}

/** Who may read an export: who asked, or an owner/admin of the team the report is about. */
export function mayReadReport(
  report: { ownerId: string; teamId: string | null },
  caller: { userId: string; teamRoles: readonly { teamId: string; role: TeamRole }[] },
): boolean {
  if (report.ownerId === caller.userId) return true;
  if (!report.teamId) return false;
  return caller.teamRoles.some((t) => t.teamId === report.teamId && TEAM_ADMIN_ROLES.includes(t.role));
}

// ---- periods ----

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The bucket an instant falls in, in the same text src/db/reports.ts `bucketSql` produces: hour `2026-11-30T14`,
 * day `2026-11-30`,
 * week the ISO week's Monday `2026-11-30`, month `2026-11`, quarter `2026-Q4`, year `2026` (all UTC).
 */
export function bucketOf(period: Granularity, iso: string): string {
  const d = new Date(iso);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  switch (period) {
    case "hour":
      return `${y}-${pad(m)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}`;
    case "day":
      return `${y}-${pad(m)}-${pad(d.getUTCDate())}`;
    case "week": {
      const monday = new Date(Date.UTC(y, m - 1, d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
      return monday.toISOString().slice(0, 10);
    }
    case "month":
      return `${y}-${pad(m)}`;
    case "quarter":
      return `${y}-Q${Math.floor((m + 2) / 3)}`;
    case "year":
      return String(y);
  }
}

/** Every bucket from the one holding `start` to the one holding `end`, in order; stops after `limit` buckets. */
export function bucketsBetween(period: Granularity, start: string, end: string, limit = MAX_BUCKETS): string[] {
  const out: string[] = [];
  const last = bucketOf(period, end);
  const cursor = new Date(start);
  // Step by day for day/week, by month otherwise: a bucket repeats until the next one starts.
  while (out.length < limit) {
    const b = bucketOf(period, cursor.toISOString());
    if (out[out.length - 1] !== b) out.push(b);
    if (b === last) break;
    if (period === "hour") cursor.setUTCHours(cursor.getUTCHours() + 1);
    else if (period === "day" || period === "week") cursor.setUTCDate(cursor.getUTCDate() + (period === "day" ? 1 : 7));
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1, 1);
  }
  return out;
}

/**
 * Every bucket of the window in order, each row from `rows` or `empty` where the SQL found nothing.
 * @param rows aggregates keyed by their `bucket` text (bucketOf's format)
 */
export function fillSeries<R extends { bucket: string }, T>(
  buckets: readonly string[],
  rows: readonly R[],
  shape: (row: R | undefined, bucket: string) => T,
): T[] {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  return buckets.map((b) => shape(byBucket.get(b), b));
}

// ---- figures ----

/** n / d rounded to 4 decimals (0.8333), null when nothing was in the denominator. */
export function rate(n: number, d: number): number | null {
  return d === 0 ? null : Math.round((n / d) * 10_000) / 10_000;
}

/** Hours rounded to 2 decimals; null stays null (no sample). */
export function hours(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value * 100) / 100;
}

/** Median of numbers (mean of the two middle values for an even count), null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Age bands of open contracts (days since sent, or since created for drafts); `maxDays` null = no upper bound. */
export const AGEING_BANDS = [
  { label: "0-7d", maxDays: 7 },
  { label: "8-30d", maxDays: 30 },
  { label: "31-90d", maxDays: 90 },
  { label: "91d+", maxDays: null },
] as const;

/** The band of an age in whole days (floor of elapsed time). */
export function ageingBand(days: number): string {
  return AGEING_BANDS.find((b) => b.maxDays === null || days <= b.maxDays)!.label;
}

/** Counts keyed by every value of `keys` (0 where absent), so clients never guess a missing status. */
export function countsBy<K extends string>(
  keys: readonly K[],
  rows: readonly { key: string; count: number }[],
): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const r of rows) if ((keys as readonly string[]).includes(r.key)) out[r.key as K] += r.count;
  return out;
}

// ---- report shapes ----

export interface ContractsAggregates {
  byStatus: { key: string; count: number }[];
  ageing: { status: string; band: string; count: number }[];
  series: { bucket: string; created: number; sent: number; executed: number; cancelled: number }[];
}

export function shapeContractsReport(filters: ReportFilters, a: ContractsAggregates) {
  const byStatus = countsBy(CONTRACT_STATUSES, a.byStatus);
  const ageingOf = (status: string) =>
    AGEING_BANDS.map((b) => ({
      band: b.label,
      count: a.ageing.find((r) => r.status === status && r.band === b.label)?.count ?? 0,
    }));
  return {
    window: windowOf(filters),
    total: Object.values(byStatus).reduce((s, n) => s + n, 0),
    byStatus,
    /** Open contracts by age: waiting for signatures (days since sent) and drafts (days since created). */
    ageing: { pending: ageingOf("pending"), draft: ageingOf("draft") },
    series: fillSeries(bucketsBetween(filters.period, filters.startDate, filters.endDate), a.series, (r, period) => ({
      period,
      created: r?.created ?? 0,
      sent: r?.sent ?? 0,
      executed: r?.executed ?? 0,
      cancelled: r?.cancelled ?? 0,
    })),
  };
}

export interface SignaturesAggregates {
  /** Per bucket of the contract's sent time. */
  series: {
    bucket: string;
    sent: number;
    completed: number;
    signatures: number;
    medianHoursToSign: number | null;
    approvals: number;
    approverMedianHours: number | null;
  }[];
  totals: {
    sent: number;
    completed: number;
    signatures: number;
    medianHoursToSign: number | null;
    approvals: number;
    approverMedianHours: number | null;
    approverAverageHours: number | null;
  };
}

export function shapeSignaturesReport(filters: ReportFilters, a: SignaturesAggregates) {
  const t = a.totals;
  return {
    window: windowOf(filters),
    totals: {
      sent: t.sent,
      completed: t.completed,
      completionRate: rate(t.completed, t.sent),
      signatures: t.signatures,
      medianHoursToSign: hours(t.medianHoursToSign),
    },
    approverTurnaround: {
      approvals: t.approvals,
      medianHours: hours(t.approverMedianHours),
      averageHours: hours(t.approverAverageHours),
    },
    series: fillSeries(bucketsBetween(filters.period, filters.startDate, filters.endDate), a.series, (r, period) => ({
      period,
      sent: r?.sent ?? 0,
      completed: r?.completed ?? 0,
      completionRate: rate(r?.completed ?? 0, r?.sent ?? 0),
      signatures: r?.signatures ?? 0,
      medianHoursToSign: hours(r?.medianHoursToSign),
      approvals: r?.approvals ?? 0,
      approverMedianHours: hours(r?.approverMedianHours),
    })),
  };
}

export interface ActivityRow {
  userId: string;
  name: string;
  email: string;
  contractsCreated: number;
  contractsSent: number;
  signaturesGiven: number;
  escrowsOpened: number;
}

/** Most active first (sum of the counts), then by user id; people with no activity in the window are left out. */
export function shapeActivityReport(filters: ReportFilters, rows: readonly ActivityRow[], limit: number) {
  const total = (r: ActivityRow) => r.contractsCreated + r.contractsSent + r.signaturesGiven + r.escrowsOpened;
  const active = rows.filter((r) => total(r) > 0).sort((a, b) => total(b) - total(a) || (a.userId < b.userId ? -1 : 1));
  return { window: windowOf(filters), users: active.slice(0, limit), truncated: active.length > limit };
}

export interface EscrowsAggregates {
  byStatus: { key: string; count: number }[];
  byCurrency: {
    currency: string;
    count: number;
    funded: number;
    volume: number;
    commission: number;
    payouts: number;
    refunded: number;
  }[];
  disputes: { opened: number; open: number; refunded: number; released: number };
  series: { bucket: string; created: number; funded: number }[];
}

export function shapeEscrowsReport(filters: ReportFilters, a: EscrowsAggregates) {
  return {
    window: windowOf(filters),
    byStatus: countsBy(ESCROW_STATUSES, a.byStatus),
    /** Minor units per currency: volume funded, commission earned on released escrows, payouts sent, refunds. */
    byCurrency: [...a.byCurrency].sort((x, y) => (x.currency < y.currency ? -1 : 1)),
    disputes: a.disputes,
    series: fillSeries(bucketsBetween(filters.period, filters.startDate, filters.endDate), a.series, (r, period) => ({
      period,
      created: r?.created ?? 0,
      funded: r?.funded ?? 0,
    })),
  };
}

function windowOf(f: ReportFilters) {
  return { startDate: f.startDate, endDate: f.endDate, period: f.period };
}

// ---- exports ----

/** The columns of each kind's export, in order: the key in the row the query returns and its header. */
export const EXPORT_COLUMNS: Record<ReportKind, readonly { key: string; header: string }[]> = {
  contracts: [
    { key: "id", header: "Contract ID" },
    { key: "title", header: "Title" },
    { key: "type", header: "Type" },
    { key: "status", header: "Status" },
    { key: "teamId", header: "Team ID" },
    { key: "ownerId", header: "Owner ID" },
    { key: "valueAmount", header: "Value (minor units)" },
    { key: "valueCurrency", header: "Currency" },
    { key: "createdAt", header: "Created at" },
    { key: "sentAt", header: "Sent at" },
    { key: "activatedAt", header: "Executed at" },
    { key: "cancelledAt", header: "Cancelled at" },
  ],
  signatures: [
    { key: "contractId", header: "Contract ID" },
    { key: "contractTitle", header: "Contract" },
    { key: "signerId", header: "Recipient ID" },
    { key: "role", header: "Role" },
    { key: "email", header: "Email" },
    { key: "status", header: "Status" },
    { key: "sentAt", header: "Sent at" },
    { key: "signedAt", header: "Signed at" },
    { key: "hoursToSign", header: "Hours to sign" },
  ],
  activity: [
    { key: "userId", header: "User ID" },
    { key: "name", header: "Name" },
    { key: "email", header: "Email" },
    { key: "contractsCreated", header: "Contracts created" },
    { key: "contractsSent", header: "Contracts sent" },
    { key: "signaturesGiven", header: "Signatures given" },
    { key: "escrowsOpened", header: "Escrows opened" },
  ],
  escrows: [
    { key: "id", header: "Escrow ID" },
    { key: "status", header: "Status" },
    { key: "currency", header: "Currency" },
    { key: "amount", header: "Amount (minor units)" },
    { key: "commission", header: "Commission (minor units)" },
    { key: "sellerPayout", header: "Seller payout (minor units)" },
    { key: "payoutStatus", header: "Payout status" },
    { key: "buyerId", header: "Buyer ID" },
    { key: "sellerId", header: "Seller ID" },
    { key: "createdAt", header: "Created at" },
    { key: "fundedAt", header: "Funded at" },
    { key: "releasedAt", header: "Released at" },
    { key: "refundedAt", header: "Refunded at" },
    { key: "disputedAt", header: "Disputed at" },
  ],
};

export type ExportCell = string | number | null;

/** A query row as the ordered cells of its kind's columns (undefined → null). */
export function exportCells(kind: ReportKind, row: Record<string, unknown>): ExportCell[] {
  return EXPORT_COLUMNS[kind].map(({ key }) => {
    const v = row[key];
    return typeof v === "number" || typeof v === "string" ? v : null;
  });
}

/** Percent done (0–100, 100 only when finished) from rows written of an expected total. */
export function progressPercent(written: number, total: number, finished: boolean): number {
  if (finished) return 100;
  if (total <= 0) return 0;
  return Math.min(99, Math.floor((written / total) * 100));
}

/** When an export's file and row go away. @param ttlHours REPORT_TTL_HOURS (default 24) */
export function reportExpiry(now: Date, ttlHours: number): string {
  return new Date(now.getTime() + ttlHours * 3_600_000).toISOString();
}

/** REPORT_TTL_HOURS parsed: a positive number of hours, else the default 24. */
export function reportTtlHours(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : 24;
}

// ---- the PDF's summary page ----

type Figures = Record<string, unknown>;

/** Label/value pairs printed above the PDF's chart, from a report's figures (GET /reports/<kind> shape). */
export function reportHighlights(kind: ReportKind, figures: Figures): [string, string][] {
  const f = figures as never as Record<string, Record<string, unknown> & unknown[]>;
  const show = (v: unknown) =>
    v === null || v === undefined ? "–" : typeof v === "number" ? v.toLocaleString("en-US") : String(v);
  const pct = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(1)} %` : "–");
  switch (kind) {
    case "contracts": {
      const byStatus = f.byStatus as Record<string, number>;
      return [
        ["Contracts created", show(figures.total)],
        ...CONTRACT_STATUSES.map((s) => [capital(s), show(byStatus[s])] as [string, string]),
      ];
    }
    case "signatures": {
      const t = f.totals as Record<string, unknown>;
      const a = f.approverTurnaround as Record<string, unknown>;
      return [
        ["Contracts sent", show(t.sent)],
        ["Fully signed", show(t.completed)],
        ["Completion rate", pct(t.completionRate)],
        ["Median hours to sign", show(t.medianHoursToSign)],
        ["Approvals", show(a.approvals)],
        ["Approver median hours", show(a.medianHours)],
      ];
    }
    case "activity": {
      const users = figures.users as ActivityRow[];
      return [
        ["Active people", show(users.length)],
        ["Contracts created", show(users.reduce((s, u) => s + u.contractsCreated, 0))],
        ["Signatures given", show(users.reduce((s, u) => s + u.signaturesGiven, 0))],
        ["Escrows opened", show(users.reduce((s, u) => s + u.escrowsOpened, 0))],
      ];
    }
    case "escrows": {
      const rows = figures.byCurrency as EscrowsAggregates["byCurrency"];
      const d = figures.disputes as EscrowsAggregates["disputes"];
      return [
        ...rows.flatMap((r) => [
          [`Volume ${r.currency}`, show(r.volume)] as [string, string],
          [`Commission ${r.currency}`, show(r.commission)] as [string, string],
          [`Payouts ${r.currency}`, show(r.payouts)] as [string, string],
        ]),
        ["Disputes opened", show(d.opened)],
        ["Disputes open", show(d.open)],
      ];
    }
  }
}

/** The bar chart of the PDF: labels and one or two series of a report's figures. */
export function reportChart(
  kind: ReportKind,
  figures: Figures,
): { title: string; labels: string[]; series: { name: string; values: number[] }[] } {
  const series = (figures.series ?? []) as Record<string, number | string>[];
  const labels = series.map((s) => String(s.period));
  const values = (key: string) => series.map((s) => Number(s[key] ?? 0));
  switch (kind) {
    case "contracts":
      return {
        title: "Contracts per period",
        labels,
        series: [
          { name: "Created", values: values("created") },
          { name: "Executed", values: values("executed") },
        ],
      };
    case "signatures":
      return {
        title: "Signatures per period",
        labels,
        series: [
          { name: "Sent", values: values("sent") },
          { name: "Fully signed", values: values("completed") },
        ],
      };
    case "escrows":
      return {
        title: "Escrows per period",
        labels,
        series: [
          { name: "Opened", values: values("created") },
          { name: "Funded", values: values("funded") },
        ],
      };
    case "activity": {
      const users = (figures.users as ActivityRow[]).slice(0, 12);
      return {
        title: "Most active people",
        labels: users.map((u) => u.name),
        series: [
          { name: "Contracts created", values: users.map((u) => u.contractsCreated) },
          { name: "Signatures given", values: users.map((u) => u.signaturesGiven) },
        ],
      };
    }
  }
}

function capital(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Report and export queries: every figure is aggregated in SQL (counts, sums, medians by window functions) over
// the D1 projection, restricted to the caller's scope (domain/reports.ts decideReportScope), plus the report rows.
import { and, eq, lt } from "drizzle-orm";
import type { Database } from "./client";
import { reports } from "./schema/reports";
import {
  AGEING_BANDS,
  type ActivityRow,
  type ContractsAggregates,
  type DataScope,
  type EscrowsAggregates,
  type PeopleScope,
  type Granularity,
  type ReportFilters,
  type ReportKind,
  type SignaturesAggregates,
} from "../domain/reports";

export type Bind = string | number | null;
export interface Clause {
  sql: string;
  params: Bind[];
}

/** SQL text of the bucket `column` (an ISO UTC instant) falls in; same format as domain/reports.ts bucketOf. */
export function bucketSql(period: Granularity, column: string): string {
  switch (period) {
    case "hour":
      return `substr(${column}, 1, 13)`;
    case "day":
      return `substr(${column}, 1, 10)`;
    case "week":
      // Back six days, then forward to the next Monday: the Monday on or before the instant.
      return `date(${column}, '-6 days', 'weekday 1')`;
    case "month":
      return `substr(${column}, 1, 7)`;
    case "quarter":
      return `(substr(${column}, 1, 4) || '-Q' || ((CAST(substr(${column}, 6, 2) AS INTEGER) + 2) / 3))`;
    case "year":
      return `substr(${column}, 1, 4)`;
  }
}

/** Contracts (alias `c`) the scope covers, with the type/status filters. */
export function contractClause(scope: DataScope, f: ReportFilters, options: { status?: boolean } = {}): Clause {
  const parts: string[] = [];
  const params: Bind[] = [];
  if (scope.kind === "team") {
    parts.push("c.team_id = ?");
    params.push(scope.teamId);
  } else if (scope.kind === "user") {
    parts.push("(c.owner_id = ? OR c.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?))");
    params.push(scope.userId, scope.userId);
  }
  if (f.type) {
    parts.push("c.type = ?");
    params.push(f.type);
  }
  if (f.status && options.status !== false) {
    parts.push("c.status = ?");
    params.push(f.status);
  }
  return { sql: parts.length ? parts.join(" AND ") : "1 = 1", params };
}

/** Escrows (alias `e`): the caller's as buyer or seller, or bound to a contract of their teams; a team's; all. */
export function escrowClause(scope: DataScope, f: ReportFilters): Clause {
  const parts: string[] = [];
  const params: Bind[] = [];
  if (scope.kind === "team") {
    parts.push("e.contract_id IN (SELECT id FROM contracts WHERE team_id = ?)");
    params.push(scope.teamId);
  } else if (scope.kind === "user") {
    parts.push(`(e.buyer_id = ? OR e.seller_id = ? OR e.contract_id IN
      (SELECT id FROM contracts WHERE team_id IN (SELECT team_id FROM team_members WHERE user_id = ?)))`);
    params.push(scope.userId, scope.userId, scope.userId);
  }
  if (f.status) {
    parts.push("e.status = ?");
    params.push(f.status);
  }
  return { sql: parts.length ? parts.join(" AND ") : "1 = 1", params };
}

/** Users (alias `u`) whose activity the caller may list. */
function peopleClause(people: PeopleScope): Clause {
  if (people.kind === "all") return { sql: "1 = 1", params: [] };
  if (people.kind === "self") return { sql: "u.id = ?", params: [people.userId] };
  const marks = people.teamIds.map(() => "?").join(", ");
  return {
    sql: `(u.id = ? OR u.id IN (SELECT user_id FROM team_members WHERE team_id IN (${marks})))`,
    params: [people.userId, ...people.teamIds],
  };
}

/**
 * Milliseconds from `from` to `to` as an exact integer: julianday() is a float, so its difference is rounded to the
 * millisecond the instants carry (otherwise 39.375 h comes out as 39.37499… and rounds the wrong way).
 */
export const msBetween = (from: string, to: string) =>
  `CAST(ROUND((julianday(${to}) - julianday(${from})) * 86400000) AS INTEGER)`;
export const hoursBetween = (from: string, to: string) => `(${msBetween(from, to)} / 3600000.0)`;

export const within = (column: string) => `${column} >= ? AND ${column} <= ?`;

export async function all<T>(d1: D1Database, sql: string, params: Bind[]): Promise<T[]> {
  return (
    await d1
      .prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

// ---- contracts ----

/** Status counts of contracts created in the window, ageing of those still open, and events per bucket. */
export async function contractsAggregates(
  d1: D1Database,
  scope: DataScope,
  f: ReportFilters,
): Promise<ContractsAggregates> {
  const w = contractClause(scope, f);
  const window = [f.startDate, f.endDate];
  const bands = AGEING_BANDS.map((b) =>
    b.maxDays === null ? `ELSE '${b.label}'` : `WHEN age <= ${b.maxDays} THEN '${b.label}'`,
  );
  const event = (column: string, name: string) =>
    `SELECT ${bucketSql(f.period, column)} AS bucket, '${name}' AS kind FROM contracts c WHERE ${w.sql} AND ${within(column)}`;
  const [byStatus, ageing, series] = await Promise.all([
    all<{ key: string; count: number }>(
      d1,
      `SELECT c.status AS key, COUNT(*) AS count FROM contracts c WHERE ${w.sql} AND ${within("c.created_at")} GROUP BY c.status`,
      [...w.params, ...window],
    ),
    all<{ status: string; band: string; count: number }>(
      d1,
      `SELECT status, CASE ${bands.join(" ")} END AS band, COUNT(*) AS count FROM (
         SELECT c.status, ${msBetween("COALESCE(c.sent_at, c.created_at)", "?")} / 86400000 AS age
         FROM contracts c WHERE ${w.sql} AND ${within("c.created_at")} AND c.status IN ('pending', 'draft'))
       GROUP BY status, band`,
      [f.endDate, ...w.params, ...window],
    ),
    all<ContractsAggregates["series"][number]>(
      d1,
      `SELECT bucket, SUM(kind = 'created') AS created, SUM(kind = 'sent') AS sent, SUM(kind = 'executed') AS executed,
         SUM(kind = 'cancelled') AS cancelled
       FROM (${event("c.created_at", "created")} UNION ALL ${event("c.sent_at", "sent")}
         UNION ALL ${event("c.activated_at", "executed")} UNION ALL ${event("c.cancelled_at", "cancelled")})
       GROUP BY bucket`,
      [...w.params, ...window, ...w.params, ...window, ...w.params, ...window, ...w.params, ...window],
    ),
  ]);
  return { byStatus, ageing, series };
}

// ---- signatures ----

/**
 * Contracts sent in the window: how many, how many fully signed (executed), and the median hours from sending to
 * each signer's signature and each approver's approval, per bucket of the sent time and over the whole window.
 */
export async function signaturesAggregates(
  d1: D1Database,
  scope: DataScope,
  f: ReportFilters,
): Promise<SignaturesAggregates> {
  const w = contractClause(scope, f);
  const sentCte = `sent AS (SELECT c.id, c.sent_at, c.activated_at, ${bucketSql(f.period, "c.sent_at")} AS bucket
    FROM contracts c WHERE ${w.sql} AND ${within("c.sent_at")})`;
  const params = [...w.params, f.startDate, f.endDate];
  const sigCte = `sig AS (SELECT s.bucket, x.role, ${hoursBetween("s.sent_at", "x.signed_at")} AS h
    FROM contract_signers x JOIN sent s ON s.id = x.contract_id
    WHERE x.status = 'signed' AND x.signed_at IS NOT NULL AND x.role IN ('signer', 'approver'))`;
  // Median by window functions: the middle row (odd n) or the mean of the two middle rows (even n).
  const medians = (partition: string) => `WITH ${sentCte}, ${sigCte},
    ranked AS (SELECT ${partition} AS bucket, role, h, ROW_NUMBER() OVER (PARTITION BY ${partition}, role ORDER BY h) AS rn,
      COUNT(*) OVER (PARTITION BY ${partition}, role) AS n FROM sig)
    SELECT bucket, role, MAX(n) AS n, AVG(h) AS median FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY bucket, role`;
  const [counts, bucketMedians, totalCounts, totalMedians, approverAverage] = await Promise.all([
    all<{ bucket: string; sent: number; completed: number }>(
      d1,
      `WITH ${sentCte} SELECT bucket, COUNT(*) AS sent, SUM(activated_at IS NOT NULL) AS completed FROM sent GROUP BY bucket`,
      params,
    ),
    all<{ bucket: string; role: string; n: number; median: number }>(d1, medians("bucket"), params),
    all<{ sent: number; completed: number | null }>(
      d1,
      `WITH ${sentCte} SELECT COUNT(*) AS sent, SUM(activated_at IS NOT NULL) AS completed FROM sent`,
      params,
    ),
    all<{ bucket: string; role: string; n: number; median: number }>(d1, medians("'all'"), params),
    all<{ average: number | null }>(
      d1,
      `WITH ${sentCte}, ${sigCte} SELECT AVG(h) AS average FROM sig WHERE role = 'approver'`,
      params,
    ),
  ]);
  const pick = (rows: typeof bucketMedians, bucket: string, role: string) =>
    rows.find((r) => r.bucket === bucket && r.role === role);
  return {
    series: counts.map((c) => ({
      bucket: c.bucket,
      sent: c.sent,
      completed: c.completed,
      signatures: pick(bucketMedians, c.bucket, "signer")?.n ?? 0,
      medianHoursToSign: pick(bucketMedians, c.bucket, "signer")?.median ?? null,
      approvals: pick(bucketMedians, c.bucket, "approver")?.n ?? 0,
      approverMedianHours: pick(bucketMedians, c.bucket, "approver")?.median ?? null,
    })),
    totals: {
      sent: totalCounts[0]?.sent ?? 0,
      completed: totalCounts[0]?.completed ?? 0,
      signatures: pick(totalMedians, "all", "signer")?.n ?? 0,
      medianHoursToSign: pick(totalMedians, "all", "signer")?.median ?? null,
      approvals: pick(totalMedians, "all", "approver")?.n ?? 0,
      approverMedianHours: pick(totalMedians, "all", "approver")?.median ?? null,
      approverAverageHours: approverAverage[0]?.average ?? null,
    },
  };
}

// ---- activity ----

/**
 * Per person the caller may list: contracts created and sent, signatures given (as signer or approver, matched by
 * verified email) and escrows opened as buyer in the window; a team scope counts only that team's contracts.
 * @param page `after`: keyset cursor on user id (exports page through it, in id order); `mostActiveFirst`: order by
 *   the sum of the counts instead (the on-demand report's top N)
 */
export async function activityRows(
  d1: D1Database,
  scope: { data: DataScope; people: PeopleScope },
  f: ReportFilters,
  page: { after?: string; limit: number; activeOnly?: boolean; mostActiveFirst?: boolean },
): Promise<ActivityRow[]> {
  const p = peopleClause(scope.people);
  const team = scope.data.kind === "team" ? scope.data.teamId : null;
  const contractFilter = `${team ? "AND c.team_id = ?" : ""} ${f.type ? "AND c.type = ?" : ""}`;
  const contractParams: Bind[] = [...(team ? [team] : []), ...(f.type ? [f.type] : [])];
  const window = [f.startDate, f.endDate];
  const rows = await all<ActivityRow>(
    d1,
    `WITH people AS (SELECT u.id, u.name, u.email, u.email_verified_at FROM users u WHERE ${p.sql} AND u.id > ?),
     created AS (SELECT c.owner_id AS uid, COUNT(*) AS n FROM contracts c WHERE ${within("c.created_at")} ${contractFilter}
       AND c.owner_id IN (SELECT id FROM people) GROUP BY c.owner_id),
     sent AS (SELECT c.owner_id AS uid, COUNT(*) AS n FROM contracts c WHERE ${within("c.sent_at")} ${contractFilter}
       AND c.owner_id IN (SELECT id FROM people) GROUP BY c.owner_id),
     sigs AS (SELECT x.email, COUNT(*) AS n FROM contract_signers x JOIN contracts c ON c.id = x.contract_id
       WHERE x.status = 'signed' AND ${within("x.signed_at")} ${contractFilter}
       AND x.email IN (SELECT email FROM people WHERE email_verified_at IS NOT NULL) GROUP BY x.email),
     esc AS (SELECT e.buyer_id AS uid, COUNT(*) AS n FROM escrows e WHERE ${within("e.created_at")}
       ${team ? "AND e.contract_id IN (SELECT id FROM contracts WHERE team_id = ?)" : ""}
       AND e.buyer_id IN (SELECT id FROM people) GROUP BY e.buyer_id)
     SELECT p.id AS userId, p.name, p.email, COALESCE(created.n, 0) AS contractsCreated, COALESCE(sent.n, 0) AS contractsSent,
       CASE WHEN p.email_verified_at IS NULL THEN 0 ELSE COALESCE(sigs.n, 0) END AS signaturesGiven,
       COALESCE(esc.n, 0) AS escrowsOpened
     FROM people p LEFT JOIN created ON created.uid = p.id LEFT JOIN sent ON sent.uid = p.id
       LEFT JOIN sigs ON sigs.email = p.email LEFT JOIN esc ON esc.uid = p.id
     ${page.activeOnly === false ? "" : "WHERE created.n IS NOT NULL OR sent.n IS NOT NULL OR sigs.n IS NOT NULL OR esc.n IS NOT NULL"}
     ORDER BY ${page.mostActiveFirst ? "contractsCreated + contractsSent + signaturesGiven + escrowsOpened DESC," : ""} p.id LIMIT ?`,
    [
      ...p.params,
      page.after ?? "",
      ...window,
      ...contractParams,
      ...window,
      ...contractParams,
      ...window,
      ...contractParams,
      ...window,
      ...(team ? [team] : []),
      page.limit,
    ],
  );
  return rows;
}

// ---- escrows ----

/** Escrows opened in the window: by status, by currency (minor units), disputes, and created/funded per bucket. */
export async function escrowsAggregates(
  d1: D1Database,
  scope: DataScope,
  f: ReportFilters,
): Promise<EscrowsAggregates> {
  const w = escrowClause(scope, f);
  const base = `FROM escrows e WHERE ${w.sql} AND ${within("e.created_at")}`;
  const params = [...w.params, f.startDate, f.endDate];
  const [byStatus, byCurrency, disputes, series] = await Promise.all([
    all<{ key: string; count: number }>(
      d1,
      `SELECT e.status AS key, COUNT(*) AS count ${base} GROUP BY e.status`,
      params,
    ),
    all<EscrowsAggregates["byCurrency"][number]>(
      d1,
      `SELECT e.currency, COUNT(*) AS count, SUM(e.funded_at IS NOT NULL) AS funded,
         SUM(CASE WHEN e.funded_at IS NOT NULL THEN e.amount ELSE 0 END) AS volume,
         SUM(CASE WHEN e.released_at IS NOT NULL THEN e.commission ELSE 0 END) AS commission,
         SUM(CASE WHEN e.payout_status = 'sent' THEN e.seller_payout ELSE 0 END) AS payouts,
         SUM(CASE WHEN e.refunded_at IS NOT NULL THEN e.amount ELSE 0 END) AS refunded
       ${base} GROUP BY e.currency`,
      params,
    ),
    all<{ opened: number | null; open: number | null; refunded: number | null; released: number | null }>(
      d1,
      `SELECT SUM(e.disputed_at IS NOT NULL) AS opened, SUM(e.status = 'disputed') AS open,
         SUM(e.disputed_at IS NOT NULL AND e.refunded_at IS NOT NULL) AS refunded,
         SUM(e.disputed_at IS NOT NULL AND e.released_at IS NOT NULL) AS released ${base}`,
      params,
    ),
    all<{ bucket: string; created: number; funded: number }>(
      d1,
      `SELECT bucket, SUM(kind = 'created') AS created, SUM(kind = 'funded') AS funded FROM (
         SELECT ${bucketSql(f.period, "e.created_at")} AS bucket, 'created' AS kind ${base}
         UNION ALL SELECT ${bucketSql(f.period, "e.funded_at")}, 'funded' FROM escrows e WHERE ${w.sql} AND ${within("e.funded_at")})
       GROUP BY bucket`,
      [...params, ...params],
    ),
  ]);
  const d = disputes[0];
  return {
    byStatus,
    byCurrency,
    disputes: { opened: d?.opened ?? 0, open: d?.open ?? 0, refunded: d?.refunded ?? 0, released: d?.released ?? 0 },
    series,
  };
}

// ---- export rows (keyset pages by id) ----

/** How many rows an export of `kind` will hold (for progress). Activity counts the people listed. */
export async function exportRowCount(
  d1: D1Database,
  kind: ReportKind,
  scope: { data: DataScope; people: PeopleScope },
  f: ReportFilters,
) {
  const q = exportQuery(kind, scope.data, f);
  if (!q) {
    const p = peopleClause(scope.people);
    return (await all<{ n: number }>(d1, `SELECT COUNT(*) AS n FROM users u WHERE ${p.sql}`, p.params))[0]?.n ?? 0;
  }
  return (await all<{ n: number }>(d1, `SELECT COUNT(*) AS n ${q.from}`, q.params))[0]?.n ?? 0;
}

/** One page of export rows after `after` (an id), in id order. */
export async function exportRows(
  d1: D1Database,
  kind: ReportKind,
  scope: { data: DataScope; people: PeopleScope },
  f: ReportFilters,
  after: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const q = exportQuery(kind, scope.data, f);
  if (!q)
    return (await activityRows(d1, scope, f, { after, limit, activeOnly: false })) as unknown as Record<
      string,
      unknown
    >[];
  return all<Record<string, unknown>>(d1, `SELECT ${q.select} ${q.from} AND ${q.key} > ? ORDER BY ${q.key} LIMIT ?`, [
    ...q.params,
    after,
    limit,
  ]);
}

/** The cursor of a row of `kind` (its key column's value). */
export function exportCursor(kind: ReportKind, row: Record<string, unknown>): string {
  const key = kind === "signatures" ? "signerId" : kind === "activity" ? "userId" : "id";
  return String(row[key]);
}

function exportQuery(
  kind: ReportKind,
  scope: DataScope,
  f: ReportFilters,
): { select: string; from: string; params: Bind[]; key: string } | null {
  if (kind === "contracts") {
    const w = contractClause(scope, f);
    return {
      select: `c.id, c.title, c.type, c.status, c.team_id AS teamId, c.owner_id AS ownerId, c.value_amount AS valueAmount,
        c.value_currency AS valueCurrency, c.created_at AS createdAt, c.sent_at AS sentAt, c.activated_at AS activatedAt,
        c.cancelled_at AS cancelledAt`,
      from: `FROM contracts c WHERE ${w.sql} AND ${within("c.created_at")}`,
      params: [...w.params, f.startDate, f.endDate],
      key: "c.id",
    };
  }
  if (kind === "signatures") {
    const w = contractClause(scope, f);
    return {
      select: `c.id AS contractId, c.title AS contractTitle, x.id AS signerId, x.role, x.email, x.status, c.sent_at AS sentAt,
        x.signed_at AS signedAt, ROUND(${hoursBetween("c.sent_at", "x.signed_at")}, 2) AS hoursToSign`,
      from: `FROM contract_signers x JOIN contracts c ON c.id = x.contract_id WHERE ${w.sql} AND ${within("c.sent_at")}`,
      params: [...w.params, f.startDate, f.endDate],
      key: "x.id",
    };
  }
  if (kind === "escrows") {
    const w = escrowClause(scope, f);
    return {
      select: `e.id, e.status, e.currency, e.amount, e.commission, e.seller_payout AS sellerPayout, e.payout_status AS payoutStatus,
        e.buyer_id AS buyerId, e.seller_id AS sellerId, e.created_at AS createdAt, e.funded_at AS fundedAt,
        e.released_at AS releasedAt, e.refunded_at AS refundedAt, e.disputed_at AS disputedAt`,
      from: `FROM escrows e WHERE ${w.sql} AND ${within("e.created_at")}`,
      params: [...w.params, f.startDate, f.endDate],
      key: "e.id",
    };
  }
  return null;
}

// ---- report records ----

export type ReportRow = typeof reports.$inferSelect;

export function findReport(database: Database, id: string) {
  return database.select().from(reports).where(eq(reports.id, id)).get();
}

export async function insertReport(database: Database, row: typeof reports.$inferInsert) {
  await database.insert(reports).values(row);
}

export async function updateReport(database: Database, id: string, values: Partial<typeof reports.$inferInsert>) {
  await database.update(reports).set(values).where(eq(reports.id, id));
}

/** Reports past their expiry (any status), oldest first; the cron removes their files and rows. */
export function expiredReports(database: Database, now: string, limit: number) {
  return database
    .select({ id: reports.id, r2Key: reports.r2Key })
    .from(reports)
    .where(lt(reports.expiresAt, now))
    .orderBy(reports.expiresAt)
    .limit(limit)
    .all();
}

export async function deleteReport(database: Database, id: string, expiresBefore: string) {
  await database.delete(reports).where(and(eq(reports.id, id), lt(reports.expiresAt, expiresBefore)));
}

// A report on demand (GET /reports/contracts|signatures|activity|escrows): the caller's scope, the aggregates
// from src/db/reports.ts, shaped by domain/reports.ts. Exports (the queue job) build their summary here too.
import type { Bindings, Principal } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { db } from "../../db/client";
import { teamRolesOf } from "../../db/teams";
import { activityRows, contractsAggregates, escrowsAggregates, signaturesAggregates } from "../../db/reports";
import {
  decideReportScope,
  resolveFilters,
  shapeActivityReport,
  shapeContractsReport,
  shapeEscrowsReport,
  shapeSignaturesReport,
  type ReportFilters,
  type ReportKind,
  type ReportScope,
} from "../../domain/reports";
import type { ReportQuery } from "../../schemas/reports";

/** People listed by GET /reports/activity; the export lists everyone. */
export const ACTIVITY_REPORT_LIMIT = 500;

/**
 * The filters completed (window defaults) and the caller's scope.
 * @throws ApiError VAL001 for a bad window or a status the kind does not have; RES001 for a team the caller is not in
 */
export async function resolveReportRequest(
  env: Bindings,
  principal: Pick<Principal, "userId" | "role">,
  kind: ReportKind,
  query: ReportQuery,
  now = new Date(),
): Promise<{ filters: ReportFilters; scope: ReportScope }> {
  const resolved = resolveFilters(kind, query, now);
  if ("problems" in resolved) throw fail.invalid(resolved.problems);
  const scope = await scopeOf(env, principal, resolved.filters.teamId);
  return { filters: resolved.filters, scope };
}

/** The caller's scope for filters already resolved (the export job re-checks it when it runs). */
export async function scopeOf(
  env: Bindings,
  principal: Pick<Principal, "userId" | "role">,
  teamId?: string,
): Promise<ReportScope> {
  const teamRoles = await teamRolesOf(db(env.DB), principal.userId);
  const scope = decideReportScope({
    role: principal.role,
    userId: principal.userId,
    teamRoles,
    ...(teamId ? { teamId } : {}),
  });
  // Not telling a non-member whether the team exists.
  if (scope === "not_member") throw new ApiError("RES001", "Team not found");
  return scope;
}

/** Each kind's figures, as GET /reports/<kind> answers them. */
export interface ReportFigures {
  contracts: ReturnType<typeof shapeContractsReport>;
  signatures: ReturnType<typeof shapeSignaturesReport>;
  activity: ReturnType<typeof shapeActivityReport>;
  escrows: ReturnType<typeof shapeEscrowsReport>;
}

export async function buildReport<K extends ReportKind>(
  env: Bindings,
  principal: Pick<Principal, "userId" | "role">,
  kind: K,
  query: ReportQuery,
): Promise<ReportFigures[K]> {
  const { filters, scope } = await resolveReportRequest(env, principal, kind, query);
  // reportFigures switches on the same kind, so its result is this kind's figures.
  return (await reportFigures(env, kind, filters, scope)) as ReportFigures[K];
}

/** The figures of a report whose filters and scope are settled. */
export async function reportFigures(env: Bindings, kind: ReportKind, filters: ReportFilters, scope: ReportScope) {
  switch (kind) {
    case "contracts":
      return shapeContractsReport(filters, await contractsAggregates(env.DB, scope.data, filters));
    case "signatures":
      return shapeSignaturesReport(filters, await signaturesAggregates(env.DB, scope.data, filters));
    case "activity":
      // One more than shown, so the answer can say it was cut.
      return shapeActivityReport(
        filters,
        await activityRowsAll(env, scope, filters, ACTIVITY_REPORT_LIMIT + 1),
        ACTIVITY_REPORT_LIMIT,
      );
    case "escrows":
      return shapeEscrowsReport(filters, await escrowsAggregates(env.DB, scope.data, filters));
  }
}

/** The `max` most active people (one query, ordered in SQL by the sum of their counts). */
function activityRowsAll(env: Bindings, scope: ReportScope, filters: ReportFilters, max: number) {
  return activityRows(env.DB, scope, filters, { limit: max, mostActiveFirst: true });
}

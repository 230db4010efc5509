// Asking for a report file (POST /reports): filters checked and the caller's right to the team settled now, a
// `queued` record, and the export job on JOBS; the job writes the file (services/reports/write-report-export.ts).
import type { Bindings, Principal } from "../../env";
import { db } from "../../db/client";
import { insertReport, type ReportRow } from "../../db/reports";
import { newId } from "../../lib/ids";
import { enqueueJob } from "../../lib/jobs";
import { reportExpiry, reportTtlHours } from "../../domain/reports";
import type { CreateReportInput } from "../../schemas/reports";
import { resolveReportRequest } from "./build-report";

export const REPORT_EXPORT_JOB = "report.export";

export async function requestReportExport(
  env: Bindings,
  principal: Principal,
  input: CreateReportInput,
): Promise<ReportRow> {
  const now = new Date();
  const { filters } = await resolveReportRequest(env, principal, input.kind, input.filters, now);
  const row: ReportRow = {
    id: newId("rpt"),
    ownerId: principal.userId,
    teamId: filters.teamId ?? null,
    kind: input.kind,
    format: input.format,
    filters,
    status: "queued",
    progress: 0,
    rowCount: null,
    size: null,
    r2Key: null,
    error: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    completedAt: null,
    expiresAt: reportExpiry(now, reportTtlHours(env.REPORT_TTL_HOURS)),
  };
  await insertReport(db(env.DB), row);
  // The job id is the report's: a redelivered job finds the record and does not start a second file.
  await enqueueJob(env, REPORT_EXPORT_JOB, { reportId: row.id }, { id: `report:${row.id}` });
  return row;
}

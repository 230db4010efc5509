// /reports: figures on demand (contracts, signatures, activity, escrows) and asynchronous exports (csv, xlsx, pdf,
// json) written by a queue job into R2, read back by who asked (or the report's team owners/admins).
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, answersRaw, bearerRoute, binarySchema, envelope, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { contentDisposition } from "../lib/content-disposition";
import type { ReportRow } from "../db/reports";
import type { ReportKind } from "../domain/reports";
import { buildReport } from "../services/reports/build-report";
import { requestReportExport } from "../services/reports/request-report-export";
import { openReportFile, readReportExport } from "../services/reports/read-report-export";
import { reportContentType, reportFileName } from "../services/reports/write-report-export";
import {
  activityReportSchema,
  contractsReportSchema,
  createReportBody,
  escrowsReportSchema,
  reportIdParam,
  reportQuery,
  reportRecordSchema,
  signaturesReportSchema,
} from "../schemas/reports";

const read = bearerRoute("Reports", requireScope("reports:read"));
const write = bearerRoute("Reports", requireScope("reports:write"));

const SCOPE_NOTE =
  "Covers your own contracts and your teams' (platform admins: everything); `teamId` narrows to one team you are in.";

function reportRoute<S extends z.ZodType>(kind: ReportKind, schema: S, summary: string) {
  return createRoute({
    ...read,
    method: "get",
    path: `/reports/${kind}`,
    summary,
    description: SCOPE_NOTE,
    request: { query: reportQuery },
    responses: answers(200, envelope(schema), "the report", "AUTH003", "AUTH004", "RES001"),
  });
}

const contractsRoute = reportRoute(
  "contracts",
  contractsReportSchema,
  "Contract status counts, ageing of open contracts, events per period",
);
const signaturesRoute = reportRoute(
  "signatures",
  signaturesReportSchema,
  "Signature completion rate, median time to sign and approver turnaround per period",
);
const activityRoute = reportRoute(
  "activity",
  activityReportSchema,
  "Activity per person: contracts created and sent, signatures, escrows (team owners/admins see their members)",
);
const escrowsRoute = reportRoute(
  "escrows",
  escrowsReportSchema,
  "Escrow volume, commission, payouts and refunds by currency; disputes; escrows per period",
);

const createRoute_ = createRoute({
  ...write,
  method: "post",
  path: "/reports",
  summary: "Export a report as a file (csv, xlsx, pdf, json), produced in the background",
  description:
    "Answers 202 with the export's record; follow it with GET /reports/{id} (or `report.progress` / `report.ready` on your " +
    "live feed) and download it once ready. The file expires after REPORT_TTL_HOURS (default 24). A PDF holds the " +
    "summary, a chart and at most 2,000 rows; the other formats hold every row.",
  request: { body: jsonBody(createReportBody) },
  responses: answers(202, envelope(reportRecordSchema), "queued", "AUTH003", "AUTH004", "RES001"),
});

const getRoute = createRoute({
  ...read,
  method: "get",
  path: "/reports/{id}",
  summary: "An export's status, progress, row count and expiry",
  request: { params: reportIdParam },
  responses: answers(200, envelope(reportRecordSchema), "the export", "AUTH003", "AUTH004", "RES001"),
});

const downloadRoute = createRoute({
  ...read,
  method: "get",
  path: "/reports/{id}/download",
  summary: "Download a ready export",
  request: { params: reportIdParam },
  responses: answersRaw(
    200,
    {
      description: "the file",
      content: {
        "text/csv": { schema: z.string() },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: binarySchema },
        "application/pdf": { schema: binarySchema },
        "application/json": { schema: z.string() },
      },
    },
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

const view = (r: ReportRow) => ({
  id: r.id,
  kind: r.kind,
  format: r.format,
  status: r.status,
  progress: r.progress,
  rowCount: r.rowCount,
  size: r.size,
  filters: r.filters,
  error: r.error,
  createdAt: r.createdAt,
  completedAt: r.completedAt,
  expiresAt: r.expiresAt,
  downloadUrl: r.status === "ready" ? `/api/v1/reports/${r.id}/download` : null,
});

export const reportRoutes = createRouter()
  .openapi(contractsRoute, async (c) =>
    ok(c, await buildReport(c.env, principalOf(c), "contracts", c.req.valid("query")), 200),
  )
  .openapi(signaturesRoute, async (c) =>
    ok(c, await buildReport(c.env, principalOf(c), "signatures", c.req.valid("query")), 200),
  )
  .openapi(activityRoute, async (c) =>
    ok(c, await buildReport(c.env, principalOf(c), "activity", c.req.valid("query")), 200),
  )
  .openapi(escrowsRoute, async (c) =>
    ok(c, await buildReport(c.env, principalOf(c), "escrows", c.req.valid("query")), 200),
  )
  .openapi(createRoute_, async (c) =>
    ok(c, view(await requestReportExport(c.env, principalOf(c), c.req.valid("json"))), 202),
  )
  .openapi(getRoute, async (c) =>
    ok(c, view(await readReportExport(c.env, principalOf(c), c.req.valid("param").id)), 200),
  )
  .openapi(downloadRoute, async (c) => {
    const { row, object } = await openReportFile(c.env, principalOf(c), c.req.valid("param").id);
    return new Response(object.body, {
      status: 200,
      headers: {
        "content-type": reportContentType(row.format),
        "content-length": String(object.size),
        "content-disposition": contentDisposition("attachment", reportFileName(row)),
        "cache-control": "private, no-store",
      },
    }) as never;
  });

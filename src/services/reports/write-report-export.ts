// Writing an export's file (the JOBS `report.export` job): the rows page by page from D1, through the format's
// streaming writer, into R2 part by part; progress on the record and on the requester's live feed
// (`report.progress`, `report.ready`). A retried job starts the file again (the old upload is aborted);
// a ready or failed report is left alone.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { exportCursor, exportRowCount, exportRows, findReport, updateReport, type ReportRow } from "../../db/reports";
import { findUserById } from "../../db/users";
import { ApiError } from "../../lib/errors";
import { assetFontLoader } from "../../lib/fonts";
import { log } from "../../lib/request-context";
import { CsvWriter, JsonWriter, R2PartSink, XlsxWriter, type RowWriter } from "../../lib/report-files";
import { CHART_COLORS, PDF_MAX_ROWS, reportPdf } from "../../lib/report-pdf";
import { notifyFeed } from "../../lib/feed-notify";
import {
  EXPORT_COLUMNS,
  exportCells,
  progressPercent,
  reportChart,
  reportHighlights,
  type ExportCell,
  type ReportFormat,
} from "../../domain/reports";
import { reportFigures, scopeOf } from "./build-report";

/** Rows per D1 read: large enough to keep the query count low, small enough for one result in memory. */
export const EXPORT_PAGE_ROWS = 1_000;

const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pdf: "application/pdf",
  json: "application/json",
};

export function reportFileName(row: Pick<ReportRow, "id" | "kind" | "format">): string {
  return `escra-${row.kind}-report-${row.id}.${row.format}`;
}

export function reportContentType(format: ReportFormat): string {
  return CONTENT_TYPES[format];
}

export async function writeReportExport(env: Bindings, reportId: string, attempt: { last: boolean }): Promise<void> {
  const database = db(env.DB);
  const row = await findReport(database, reportId);
  if (!row || row.status === "ready" || row.status === "failed") return;
  try {
    await produce(env, row);
  } catch (err) {
    const refused = err instanceof ApiError;
    // A refusal (the requester left the team, was removed) will not change on retry; anything else retries.
    if (!refused && !attempt.last) throw err;
    const message = refused ? err.message : "The report could not be produced";
    log("error", "report export failed", { reportId, error: err instanceof Error ? err.message : String(err) });
    await updateReport(database, reportId, { status: "failed", error: message, updatedAt: new Date().toISOString() });
    await notifyFeed(env, row.ownerId, "report.ready", `${reportId}:failed`, {
      reportId,
      status: "failed",
      progress: row.progress,
    });
  }
}

async function produce(env: Bindings, row: ReportRow) {
  const database = db(env.DB);
  const owner = await findUserById(env.DB, row.ownerId);
  if (!owner) throw new ApiError("RES001", "The requester no longer exists");
  // The right to the data is checked again now: a member who left the team since asking gets nothing.
  const scope = await scopeOf(env, { userId: owner.id, role: owner.role }, row.filters.teamId);
  const total = await exportRowCount(env.DB, row.kind, scope, row.filters);
  await updateReport(database, row.id, {
    status: "running",
    progress: 0,
    rowCount: total,
    updatedAt: new Date().toISOString(),
  });
  await notifyFeed(env, row.ownerId, "report.progress", `${row.id}:progress:0`, {
    reportId: row.id,
    status: "running",
    progress: 0,
  });

  const key = `reports/${row.id}/${reportFileName(row)}`;
  const sink = await R2PartSink.open(env.DOCUMENTS, key, CONTENT_TYPES[row.format]);
  const columns = EXPORT_COLUMNS[row.kind];
  const needsFigures = row.format === "pdf" || row.format === "json";
  const figures = needsFigures ? await reportFigures(env, row.kind, row.filters, scope) : null;
  const pdfRows: ExportCell[][] = [];
  const writer: RowWriter | null =
    row.format === "csv"
      ? new CsvWriter(sink)
      : row.format === "xlsx"
        ? new XlsxWriter(sink)
        : row.format === "json"
          ? new JsonWriter(
              sink,
              {
                id: row.id,
                kind: row.kind,
                filters: row.filters,
                generatedAt: new Date().toISOString(),
                summary: figures,
              },
              columns.map((c) => c.key),
            )
          : null;
  try {
    await writer?.begin(columns.map((c) => c.header));
    let after = "";
    let written = 0;
    let reported = 0;
    let recorded = 0;
    for (;;) {
      const limit = row.format === "pdf" ? Math.min(EXPORT_PAGE_ROWS, PDF_MAX_ROWS - written) : EXPORT_PAGE_ROWS;
      if (limit <= 0) break;
      const page = await exportRows(env.DB, row.kind, scope, row.filters, after, limit);
      if (page.length === 0) break;
      const cells = page.map((r) => exportCells(row.kind, r));
      if (writer) await writer.rows(cells);
      else pdfRows.push(...cells);
      written += page.length;
      after = exportCursor(row.kind, page[page.length - 1]!);
      const percent = progressPercent(written, total, false);
      // The record every 5 %, the feed every 10 % (neither needs a write per thousand rows).
      if (percent >= recorded + 5) {
        recorded = percent;
        await updateReport(database, row.id, { progress: percent, updatedAt: new Date().toISOString() });
      }
      if (percent >= reported + 10) {
        reported = percent - (percent % 10);
        await notifyFeed(env, row.ownerId, "report.progress", `${row.id}:progress:${reported}`, {
          reportId: row.id,
          status: "running",
          progress: reported,
        });
      }
      if (page.length < limit) break;
    }
    if (writer) await writer.end();
    else {
      const chart = reportChart(row.kind, figures!);
      const pdf = await reportPdf(assetFontLoader(env.ASSETS), {
        title: `${row.kind.charAt(0).toUpperCase()}${row.kind.slice(1)} report`,
        subtitle:
          `${row.filters.startDate.slice(0, 10)} to ${row.filters.endDate.slice(0, 10)}, by ${row.filters.period}` +
          `${row.filters.teamId ? `, team ${row.filters.teamId}` : ""} · ${row.id}`,
        summary: reportHighlights(row.kind, figures!),
        chart: {
          ...chart,
          series: chart.series.map((s, i) => ({ ...s, color: CHART_COLORS[i % CHART_COLORS.length]! })),
        },
        headers: columns.map((c) => c.header),
        rows: pdfRows,
        totalRows: total,
      });
      await sink.write(pdf);
    }
    const size = await sink.close();
    const now = new Date().toISOString();
    await updateReport(database, row.id, {
      status: "ready",
      progress: 100,
      rowCount: written,
      size,
      r2Key: key,
      completedAt: now,
      updatedAt: now,
    });
    await notifyFeed(env, row.ownerId, "report.ready", `${row.id}:ready`, {
      reportId: row.id,
      status: "ready",
      progress: 100,
      rowCount: written,
    });
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

// `npm run docs:report-chart`: renders the summary page of a signatures report PDF with the Worker's own code
// (src/lib/report-pdf.ts and the shaping of src/domain/reports.ts, bundled by esbuild; fonts from public/fonts) on a
// quarter of sample weekly figures, and saves it as docs/report-chart.png (pdftoppm, Debian poppler-utils) for the
// README's "Reports and analytics" section.
import { importWorkerModules, localFonts, pictureFirstPage, type FontLoader } from "./lib/worker-code.ts";

const lib = await importWorkerModules<{
  reportPdf: (fonts: FontLoader, input: unknown) => Promise<Uint8Array>;
  shapeSignaturesReport: (filters: unknown, aggregates: unknown) => Record<string, unknown>;
  reportHighlights: (kind: string, figures: unknown) => [string, string][];
  reportChart: (
    kind: string,
    figures: unknown,
  ) => { title: string; labels: string[]; series: { name: string; values: number[] }[] };
  bucketsBetween: (period: string, start: string, end: string) => string[];
  CHART_COLORS: unknown[];
  EXPORT_COLUMNS: Record<string, { header: string }[]>;
}>("report-chart", ["src/lib/report-pdf.ts", "src/domain/reports.ts"]);
const fonts = localFonts();

const filters = { period: "week", startDate: "2026-09-07T00:00:00.000Z", endDate: "2026-11-29T23:59:59.999Z" };
const weeks = lib.bucketsBetween("week", filters.startDate, filters.endDate);
const series = weeks.map((bucket, i) => {
  const sent = 38 + Math.round(14 * Math.sin(i / 2)) + i * 2;
  const completed = Math.round(sent * (0.68 + 0.02 * (i % 5)));
  return {
    bucket,
    sent,
    completed,
    signatures: completed * 2,
    medianHoursToSign: 20 - i * 0.6,
    approvals: 9 + (i % 4),
    approverMedianHours: 6 + (i % 3),
  };
});
const total = (k: "sent" | "completed") => series.reduce((s, r) => s + r[k], 0);
const figures = lib.shapeSignaturesReport(filters, {
  series,
  totals: {
    sent: total("sent"),
    completed: total("completed"),
    signatures: total("completed") * 2,
    medianHoursToSign: 16.5,
    approvals: 131,
    approverMedianHours: 7.25,
    approverAverageHours: 9.1,
  },
});
const chart = lib.reportChart("signatures", figures);
const pdf = await lib.reportPdf(fonts, {
  title: "Signatures report",
  subtitle: "2026-09-07 to 2026-11-29, by week · rpt_01JSAMPLEREPORT00000",
  summary: lib.reportHighlights("signatures", figures),
  chart: { ...chart, series: chart.series.map((s, i) => ({ ...s, color: lib.CHART_COLORS[i] })) },
  headers: lib.EXPORT_COLUMNS.signatures!.map((c) => c.header),
  rows: [],
  totalRows: 0,
});
console.log(pictureFirstPage("report-chart", pdf));

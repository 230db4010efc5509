// The PDF of a report (pdf-lib): a summary page with the figures and a bar chart drawn as vector graphics
// (rectangles and lines, no image), then the rows as a table on landscape pages. A PDF is read by people, so it
// holds at most PDF_MAX_ROWS rows and says so; CSV, XLSX and JSON carry every row.
import { PDFDocument, rgb, type PDFPage, type RGB } from "pdf-lib";
import { FontBook } from "./pdf-text";
import { uncoveredCharacters, type FontLoader, type FontStyle } from "./fonts";
import type { ExportCell } from "../domain/reports";

export const PDF_MAX_ROWS = 2_000;

export interface ChartSeries {
  name: string;
  values: number[];
  color: RGB;
}

export interface ReportPdfInput {
  title: string;
  subtitle: string;
  summary: [string, string][];
  chart: { title: string; labels: string[]; series: ChartSeries[] };
  headers: string[];
  rows: ExportCell[][];
  /** Rows the report has in all (more than `rows` when the PDF was cut at PDF_MAX_ROWS). */
  totalRows: number;
}

export const CHART_COLORS = [rgb(0.16, 0.38, 0.74), rgb(0.93, 0.55, 0.13), rgb(0.2, 0.63, 0.38), rgb(0.75, 0.22, 0.26)];
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.42, 0.45, 0.5);
const RULE = rgb(0.85, 0.86, 0.88);

/** Text with the characters no kept font covers removed (a report prints stored data; it cannot refuse it). */
function printable(text: string): string {
  const missing = new Set(uncoveredCharacters(text));
  return missing.size ? [...text].filter((ch) => !missing.has(ch)).join("") : text;
}

/** A "nice" axis maximum ≥ max: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

export async function reportPdf(load: FontLoader, input: ReportPdfInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(input.title);
  doc.setProducer("Escra reports");
  const fonts = new FontBook(doc, load);
  const cells = input.rows.map((r) => r.map((c) => (c === null ? "" : printable(String(c)))));
  const texts = [
    input.title,
    input.subtitle,
    input.chart.title,
    ...input.chart.labels,
    ...input.chart.series.map((s) => s.name),
  ]
    .concat(input.summary.flat(), input.headers)
    .map(printable);
  await fonts.prepare(texts.join("\n") + "0123456789.,-% of rows shown", "regular");
  await fonts.prepare([input.title, ...input.headers].map(printable).join("\n"), "bold");
  for (let i = 0; i < cells.length; i += 500)
    await fonts.prepare(
      cells
        .slice(i, i + 500)
        .flat()
        .join("\n"),
      "regular",
    );

  const text = (
    page: PDFPage,
    s: string,
    x: number,
    y: number,
    size: number,
    style: FontStyle = "regular",
    color = INK,
    max = 800,
  ) => fonts.drawLine(page, fit(printable(s), style, size, max), { x, y, max, size, style, color, rtl: false });
  const fit = (s: string, style: FontStyle, size: number, max: number) => {
    if (fonts.width(s, style, size) <= max) return s;
    let chars = [...s];
    while (chars.length > 1 && fonts.width(`${chars.join("")}…`, style, size) > max) chars = chars.slice(0, -1);
    return `${chars.join("")}…`;
  };

  // ---- page 1: summary and chart ----
  const page = doc.addPage([595.28, 841.89]);
  text(page, input.title, 40, 790, 20, "bold");
  text(page, input.subtitle, 40, 768, 10, "regular", MUTED);
  let y = 735;
  input.summary.forEach(([label, value], i) => {
    const x = 40 + (i % 2) * 260;
    if (i % 2 === 0 && i > 0) y -= 18;
    text(page, label, x, y, 10, "regular", MUTED, 150);
    text(page, value, x + 150, y, 10, "bold", INK, 100);
  });
  drawChart(page, input.chart, { x: 40, y: 250, width: 515, height: y - 300 }, text);

  // ---- table pages ----
  const widths = columnWidths(input.headers.length, 762);
  const rowHeight = 13;
  let tablePage: PDFPage | null = null;
  let ty = 0;
  const newTablePage = () => {
    tablePage = doc.addPage([841.89, 595.28]);
    ty = 550;
    let x = 40;
    input.headers.forEach((h, i) => {
      text(tablePage!, h, x, ty, 7, "bold", INK, widths[i]! - 4);
      x += widths[i]!;
    });
    tablePage.drawLine({ start: { x: 40, y: ty - 4 }, end: { x: 802, y: ty - 4 }, thickness: 0.6, color: INK });
    ty -= rowHeight + 2;
  };
  for (const row of cells) {
    if (!tablePage || ty < 40) newTablePage();
    let x = 40;
    row.forEach((cell, i) => {
      text(tablePage!, cell, x, ty, 7, "regular", INK, widths[i]! - 4);
      x += widths[i]!;
    });
    ty -= rowHeight;
  }
  if (input.totalRows > input.rows.length) {
    if (!tablePage || ty < 40) newTablePage();
    text(
      tablePage!,
      `${input.rows.length} of ${input.totalRows} rows shown; export CSV, XLSX or JSON for all rows.`,
      40,
      ty - 6,
      8,
      "regular",
      MUTED,
    );
  }
  return doc.save();
}

function columnWidths(n: number, total: number): number[] {
  return Array.from({ length: n }, () => total / Math.max(1, n));
}

type TextFn = (
  page: PDFPage,
  s: string,
  x: number,
  y: number,
  size: number,
  style?: FontStyle,
  color?: RGB,
  max?: number,
) => void;

/** Grouped vertical bars, y axis from 0 to a nice maximum with five gridlines, legend on top. */
function drawChart(
  page: PDFPage,
  chart: ReportPdfInput["chart"],
  box: { x: number; y: number; width: number; height: number },
  text: TextFn,
) {
  text(page, chart.title, box.x, box.y + box.height + 30, 12, "bold");
  chart.series.forEach((s, i) => {
    const lx = box.x + i * 140;
    page.drawRectangle({ x: lx, y: box.y + box.height + 12, width: 10, height: 8, color: s.color });
    text(page, s.name, lx + 14, box.y + box.height + 12, 8, "regular", MUTED, 120);
  });
  const left = box.x + 36;
  const plotWidth = box.width - 36;
  const bottom = box.y + 24;
  const plotHeight = box.height - 24;
  const max = niceMax(Math.max(0, ...chart.series.flatMap((s) => s.values)));
  for (let g = 0; g <= 5; g++) {
    const gy = bottom + (plotHeight * g) / 5;
    page.drawLine({
      start: { x: left, y: gy },
      end: { x: left + plotWidth, y: gy },
      thickness: g === 0 ? 0.8 : 0.4,
      color: g === 0 ? INK : RULE,
    });
    const value = (max * g) / 5;
    text(page, Number.isInteger(value) ? String(value) : value.toFixed(1), box.x, gy - 3, 7, "regular", MUTED, 32);
  }
  const n = Math.max(1, chart.labels.length);
  const slot = plotWidth / n;
  const barWidth = Math.max(1, (slot * 0.75) / Math.max(1, chart.series.length));
  const labelEvery = Math.ceil(n / 12);
  chart.labels.forEach((label, i) => {
    chart.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const h = (plotHeight * v) / max;
      if (h > 0)
        page.drawRectangle({
          x: left + i * slot + slot * 0.125 + j * barWidth,
          y: bottom,
          width: barWidth,
          height: h,
          color: s.color,
        });
    });
    if (i % labelEvery === 0)
      text(page, label, left + i * slot, bottom - 12, 7, "regular", MUTED, slot * labelEvery - 2);
  });
}

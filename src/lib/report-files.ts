// Streaming report files: rows go out as they are read, through a format writer (CSV by csv-stringify, XLSX as a
// zip streamed by fflate with the sheet XML written row by row, JSON) into an R2 multipart upload that sends each
// 5 MiB part as soon as it fills — so a file of any length never sits whole in the Worker's memory.
//
// Why not exceljs for XLSX: its streaming writer is built on Node streams and `archiver` (fs, zlib stream
// internals), which workerd's nodejs_compat does not provide whole; its in-memory writer holds the whole workbook.
// An XLSX is a zip of a few XML parts, so fflate's streaming Zip (pure JS, no Node APIs) with the sheet written as
// inline strings (no shared-string table to hold) streams it in constant memory.
import { stringify } from "csv-stringify/sync";
import { Zip, ZipDeflate, strToU8 } from "fflate";
import type { ExportCell } from "../domain/reports";

/** R2 multipart parts must be ≥ 5 MiB and (but for the last) all the same size. */
export const PART_BYTES = 5 * 1024 * 1024;

/** Bytes into an R2 multipart upload, one fixed-size part at a time. */
export class R2PartSink {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private parts: R2UploadedPart[] = [];
  size = 0;
  private readonly upload: R2MultipartUpload;

  private constructor(upload: R2MultipartUpload) {
    this.upload = upload;
  }

  static async open(bucket: R2Bucket, key: string, contentType: string): Promise<R2PartSink> {
    return new R2PartSink(await bucket.createMultipartUpload(key, { httpMetadata: { contentType } }));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    this.size += chunk.byteLength;
    while (this.buffered >= PART_BYTES) await this.sendPart(PART_BYTES);
  }

  /** Sends what is left as the last part and completes the upload. @returns the file's size in bytes */
  async close(): Promise<number> {
    if (this.buffered > 0 || this.parts.length === 0) await this.sendPart(this.buffered);
    await this.upload.complete(this.parts);
    return this.size;
  }

  async abort(): Promise<void> {
    await this.upload.abort().catch(() => undefined);
  }

  private async sendPart(bytes: number) {
    const part = new Uint8Array(bytes);
    let filled = 0;
    while (filled < bytes) {
      const head = this.chunks[0]!;
      const take = Math.min(head.byteLength, bytes - filled);
      part.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.buffered -= bytes;
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, part));
  }
}

export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

/** One report file being written: a header, pages of rows, an end. */
export interface RowWriter {
  begin(headers: readonly string[]): Promise<void>;
  rows(rows: readonly ExportCell[][]): Promise<void>;
  end(): Promise<void>;
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`
 * (OWASP "CSV Injection"): a report of user-typed titles must not execute when opened.
 */
export function neutralizeFormula(cell: ExportCell): ExportCell {
  return typeof cell === "string" && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export class CsvWriter implements RowWriter {
  private readonly encoder = new TextEncoder();
  private readonly sink: ByteSink;
  constructor(sink: ByteSink) {
    this.sink = sink;
  }
  async begin(headers: readonly string[]) {
    // UTF-8 byte order mark: spreadsheet programs otherwise read non-ASCII names as Latin-1.
    await this.sink.write(
      this.encoder.encode(`\ufeff${stringify([headers as string[]], { record_delimiter: "windows" })}`),
    );
  }
  async rows(rows: readonly ExportCell[][]) {
    if (rows.length === 0) return;
    const safe = rows.map((r) => r.map(neutralizeFormula));
    await this.sink.write(this.encoder.encode(stringify(safe, { record_delimiter: "windows" })));
  }
  async end() {}
}

/** `{ "meta": …, "rows": [ {column: value}, … ] }`, rows streamed. */
export class JsonWriter implements RowWriter {
  private readonly encoder = new TextEncoder();
  private keys: readonly string[] = [];
  private first = true;
  private readonly sink: ByteSink;
  private readonly meta: Record<string, unknown>;
  constructor(sink: ByteSink, meta: Record<string, unknown>, keys: readonly string[]) {
    this.sink = sink;
    this.meta = meta;
    this.keys = keys;
  }
  async begin() {
    await this.sink.write(this.encoder.encode(`{"meta":${JSON.stringify(this.meta)},"rows":[`));
  }
  async rows(rows: readonly ExportCell[][]) {
    if (rows.length === 0) return;
    const text = rows
      .map((r) => JSON.stringify(Object.fromEntries(this.keys.map((k, i) => [k, r[i] ?? null]))))
      .join(",\n");
    await this.sink.write(this.encoder.encode(`${this.first ? "\n" : ",\n"}${text}`));
    this.first = false;
  }
  async end() {
    await this.sink.write(this.encoder.encode("\n]}\n"));
  }
}

const XML_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`;
const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";

/** The fixed parts of a one-sheet workbook (ECMA-376 Part 1: SpreadsheetML, Open Packaging Conventions). */
const XLSX_STATIC_PARTS: [string, string][] = [
  [
    "[Content_Types].xml",
    `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
      `<Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
      `</Types>`,
  ],
  [
    "_rels/.rels",
    `<Relationships xmlns="${NS_PKG_REL}"><Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  ],
  [
    "xl/workbook.xml",
    `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  ],
  [
    "xl/_rels/workbook.xml.rels",
    `<Relationships xmlns="${NS_PKG_REL}">` +
      `<Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${NS_REL}/styles" Target="styles.xml"/></Relationships>`,
  ],
  [
    "xl/styles.xml",
    `<styleSheet xmlns="${NS_MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>` +
      `<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
      `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
      `<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>` +
      `<cellXfs count="2"><xf/><xf fontId="1" applyFont="1"/></cellXfs></styleSheet>`,
  ],
];

/** Column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let n = index + 1;
  let name = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

/** Text as XML character data: escapes markup and drops characters XML 1.0 forbids (C0 controls but tab/LF/CR). */
export function xmlText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** One `<row>` of the sheet; strings are inline (`t="inlineStr"`), numbers plain, nulls left out. */
export function sheetRowXml(rowNumber: number, cells: readonly ExportCell[], style?: number): string {
  const s = style ? ` s="${style}"` : "";
  let xml = `<row r="${rowNumber}">`;
  cells.forEach((cell, i) => {
    if (cell === null) return;
    const ref = `${columnName(i)}${rowNumber}`;
    xml +=
      typeof cell === "number"
        ? `<c r="${ref}"${s}><v>${cell}</v></c>`
        : `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(cell)}</t></is></c>`;
  });
  return `${xml}</row>`;
}

/** A one-sheet XLSX streamed through fflate's Zip: the fixed parts first, then the sheet row by row. */
export class XlsxWriter implements RowWriter {
  private readonly pending: Uint8Array[] = [];
  private failure: Error | null = null;
  private readonly zip: Zip;
  private sheet: ZipDeflate | null = null;
  private rowNumber = 0;
  private readonly sink: ByteSink;

  constructor(sink: ByteSink) {
    this.sink = sink;
    // fflate calls back synchronously; chunks are handed to the (async) sink after each push.
    this.zip = new Zip((err, chunk) => {
      if (err) this.failure = err;
      else this.pending.push(chunk);
    });
  }

  async begin(headers: readonly string[]) {
    for (const [name, xml] of XLSX_STATIC_PARTS) {
      const part = new ZipDeflate(name, { level: 6 });
      this.zip.add(part);
      part.push(strToU8(XML_HEAD + xml), true);
    }
    // Added last: fflate streams one entry at a time, so the sheet's bytes flow out as they are pushed.
    // Level 1: the sheet is repetitive XML (≈ 10:1 even at the fastest level), and CPU is what a Worker pays for.
    this.sheet = new ZipDeflate("xl/worksheets/sheet1.xml", { level: 1 });
    this.zip.add(this.sheet);
    this.sheet.push(strToU8(`${XML_HEAD}<worksheet xmlns="${NS_MAIN}"><sheetData>`));
    this.sheet.push(strToU8(sheetRowXml(++this.rowNumber, headers, 1)));
    await this.drain();
  }

  async rows(rows: readonly ExportCell[][]) {
    if (rows.length === 0) return;
    let xml = "";
    for (const r of rows) xml += sheetRowXml(++this.rowNumber, r);
    this.sheet!.push(strToU8(xml));
    await this.drain();
  }

  async end() {
    this.sheet!.push(strToU8("</sheetData></worksheet>"), true);
    this.zip.end();
    await this.drain();
  }

  private async drain() {
    if (this.failure) throw this.failure;
    while (this.pending.length) await this.sink.write(this.pending.shift()!);
  }
}

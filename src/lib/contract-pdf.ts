// Renders a contract to PDF with pdf-lib: title, parties, value, body, attachment hashes. Deterministic: the same
// content always yields the same bytes (fixed metadata dates, no producer stamp, no random ids), so a document's
// SHA-256 identifies its content; issue 5 freezes this at send and records the hash as documentHash.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import type { ContractView } from "../domain/contract-view";

/** What the document shows; `updatedAt` and other bookkeeping are left out so they cannot change the bytes. */
export type DocumentContent = Pick<
  ContractView,
  "id" | "title" | "type" | "description" | "version" | "body" | "value" | "expiresAt" | "signers" | "attachments"
>;

/** Where the document frozen at send lives in R2 (written by the signing flow). */
export const frozenDocumentKey = (contractId: string) => `contracts/${contractId}/document.pdf`;

const FIXED_DATE = new Date("2000-01-01T00:00:00.000Z");
const PAGE = { width: 595.28, height: 841.89, margin: 56 };
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.42, 0.42, 0.46);

const REPLACEMENTS: Record<string, string> = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\t": "    " };

/** The standard fonts encode WinAnsi only: typographic punctuation is mapped, anything else unsupported is '?'. */
export function pdfSafe(text: string): string {
  return [...text.normalize("NFC")]
    .map((ch) => REPLACEMENTS[ch] ?? ch)
    .join("")
    .replace(/[^\x20-\x7e\xa0-\xff\n]/g, "?");
}

/** Integer minor units as a decimal amount with the currency's own number of decimals (NGN 2, JPY 0). */
export function formatMoney(value: { amount: number; currency: string }): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency: value.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // An ISO-shaped code Intl does not know keeps the common two decimals.
  }
  const major = Math.trunc(value.amount / 10 ** digits);
  const minor = value.amount % 10 ** digits;
  const grouped = major.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${value.currency} ${grouped}${digits > 0 ? `.${minor.toString().padStart(digits, "0")}` : ""}`;
}

export class Writer {
  private page!: PDFPage;
  private y = 0;
  readonly pages: PDFPage[] = [];

  constructor(
    private readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.newPage();
  }

  private newPage() {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages.push(this.page);
    this.y = PAGE.height - PAGE.margin;
  }

  private wrap(text: string, font: PDFFont, size: number): string[] {
    const width = PAGE.width - 2 * PAGE.margin;
    const lines: string[] = [];
    for (const paragraph of pdfSafe(text).split("\n")) {
      let line = "";
      for (const word of paragraph.split(/ +/)) {
        const candidate = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(candidate, size) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        // A single word wider than the line is cut into pieces that fit.
        let rest = word;
        while (font.widthOfTextAtSize(rest, size) > width) {
          let cut = rest.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
          lines.push(rest.slice(0, cut));
          rest = rest.slice(cut);
        }
        line = rest;
      }
      lines.push(line);
    }
    return lines;
  }

  text(text: string, options: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb>; gapAfter?: number } = {}) {
    const size = options.size ?? 10.5;
    const font = options.font ?? this.regular;
    const leading = size * 1.4;
    for (const line of this.wrap(text, font, size)) {
      if (this.y - leading < PAGE.margin + 20) this.newPage();
      this.y -= leading;
      this.page.drawText(line, { x: PAGE.margin, y: this.y, size, font, color: options.color ?? INK });
    }
    this.y -= options.gapAfter ?? 0;
  }

  heading(text: string) {
    this.y -= 8;
    this.text(text, { size: 12.5, font: this.bold, gapAfter: 4 });
  }
}

export async function renderContractPdf(content: DocumentContent): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(pdfSafe(content.title), { showInWindowTitleBar: false });
  doc.setSubject(`Escra contract ${content.id}, version ${content.version}`);
  doc.setCreator("Escra");
  doc.setProducer("Escra");
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const w = new Writer(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));

  w.text(content.title, { size: 20, font: w.bold, gapAfter: 6 });
  w.text(`Contract ${content.id} - ${content.type} - version ${content.version}`, { size: 9.5, color: MUTED, gapAfter: 4 });
  if (content.description) w.text(content.description, { color: MUTED, gapAfter: 4 });
  if (content.value) w.text(`Value: ${formatMoney(content.value)}`, { font: w.bold });
  if (content.expiresAt) w.text(`Offer expires: ${content.expiresAt}`);

  w.heading("Parties");
  if (content.signers.length === 0) w.text("No parties yet.", { color: MUTED });
  for (const s of [...content.signers].sort((a, b) => a.order - b.order || a.email.localeCompare(b.email))) {
    w.text(`${s.order}. ${s.name} <${s.email}> - ${s.role}`);
  }

  w.heading("Terms");
  w.text(content.body || "(no body yet)");

  if (content.attachments.length > 0) {
    w.heading("Attachments");
    for (const a of content.attachments) {
      w.text(`${a.name} (${a.contentType}, ${a.size} bytes)`, { font: w.bold });
      w.text(`SHA-256 ${a.sha256}`, { size: 8.5, color: MUTED, gapAfter: 2 });
    }
  }

  const total = w.pages.length;
  w.pages.forEach((page, i) => {
    page.drawText(pdfSafe(`${content.id} v${content.version} - page ${i + 1} of ${total}`), {
      x: PAGE.margin,
      y: PAGE.margin - 24,
      size: 8,
      font: w.regular,
      color: MUTED,
    });
  });
  return doc.save({ useObjectStreams: false });
}

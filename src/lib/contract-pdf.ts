// Renders a contract to PDF with pdf-lib and embedded, subset Noto fonts (src/lib/pdf-text.ts): title, parties,
// value, body, attachment hashes. Deterministic: the same content always yields the same bytes (fixed metadata
// dates, no producer stamp, pdf-lib's seeded font tags), so a document's
// SHA-256 identifies its content; issue 5 freezes this at send and records the hash as documentHash.
import { PDFDocument, rgb, type PDFPage, type RGB } from "pdf-lib";
import type { ContractView } from "../domain/contract-view";
import { formatMoney, formatMoneySymbol } from "../domain/money";
import type { FontLoader, FontStyle } from "./fonts";
import { FontBook } from "./pdf-text";

export { formatMoney };

/** What the document shows; `updatedAt` and other bookkeeping are left out so they cannot change the bytes. */
export type DocumentContent = Pick<
  ContractView,
  "id" | "title" | "type" | "description" | "version" | "body" | "value" | "expiresAt" | "signers" | "attachments"
>;

/** Where the document frozen at send lives in R2 (written by the signing flow). */
export const frozenDocumentKey = (contractId: string) => `contracts/${contractId}/document.pdf`;

const FIXED_DATE = new Date("2000-01-01T00:00:00.000Z");
export const PAGE = { width: 595.28, height: 841.89, margin: 56 };
export const INK = rgb(0.1, 0.1, 0.12);
export const MUTED = rgb(0.42, 0.42, 0.46);

/** Text as the renderer lays it out: NFC (one code point per accented letter where Unicode has one), tabs as four
 * spaces, CR dropped. Every other character is drawn as written with an embedded font. */
export function pdfSafe(text: string): string {
  return text.normalize("NFC").replace(/\r/g, "").replace(/\t/g, "    ");
}

/** Lays text out top to bottom over as many A4 pages as it needs. */
export class Writer {
  private page!: PDFPage;
  private y = 0;
  readonly pages: PDFPage[] = [];
  readonly fonts: FontBook;

  constructor(
    private readonly doc: PDFDocument,
    load: FontLoader,
  ) {
    this.fonts = new FontBook(doc, load);
    this.newPage();
  }

  private newPage() {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages.push(this.page);
    this.y = PAGE.height - PAGE.margin;
  }

  /** Current page and the baseline of the last line drawn (for drawing images beside text). */
  get cursor() {
    return { page: this.page, y: this.y };
  }

  /** Reserves `height` points (a new page when they do not fit); returns the page and the top of the space. */
  space(height: number): { page: PDFPage; top: number } {
    if (this.y - height < PAGE.margin + 20) this.newPage();
    const top = this.y;
    this.y -= height;
    return { page: this.page, top };
  }

  async text(text: string, options: { size?: number; style?: FontStyle; color?: RGB; gapAfter?: number } = {}) {
    const size = options.size ?? 10.5;
    const style = options.style ?? "regular";
    const leading = size * 1.4;
    const max = PAGE.width - 2 * PAGE.margin;
    const safe = pdfSafe(text);
    await this.fonts.prepare(safe, style);
    for (const paragraph of safe.split("\n")) {
      const rtl = this.fonts.paragraphIsRtl(paragraph);
      for (const line of this.fonts.wrap(paragraph, style, size, max)) {
        if (this.y - leading < PAGE.margin + 20) this.newPage();
        this.y -= leading;
        this.fonts.drawLine(this.page, line, {
          x: PAGE.margin,
          y: this.y,
          max,
          size,
          style,
          color: options.color ?? INK,
          rtl,
        });
      }
    }
    this.y -= options.gapAfter ?? 0;
  }

  async heading(text: string) {
    this.y -= 8;
    await this.text(text, { size: 12.5, style: "bold", gapAfter: 4 });
  }

  /** Page footers ("… page i of n") once every page exists. */
  async footers(label: string) {
    const total = this.pages.length;
    const texts = this.pages.map((_, i) => `${label} - page ${i + 1} of ${total}`);
    await this.fonts.prepare(texts.join(""), "regular");
    this.pages.forEach((page, i) => {
      this.fonts.drawLine(page, texts[i]!, {
        x: PAGE.margin,
        y: PAGE.margin - 24,
        max: PAGE.width - 2 * PAGE.margin,
        size: 8,
        style: "regular",
        color: MUTED,
        rtl: false,
      });
    });
  }
}

async function newDocument(title: string, subject: string, at: Date) {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(pdfSafe(title), { showInWindowTitleBar: false });
  doc.setSubject(subject);
  doc.setCreator("Escra");
  doc.setProducer("Escra");
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  return doc;
}

async function writeContract(w: Writer, content: DocumentContent) {
  await w.text(content.title, { size: 20, style: "bold", gapAfter: 6 });
  await w.text(`Contract ${content.id} \u2014 ${content.type} \u2014 version ${content.version}`, {
    size: 9.5,
    color: MUTED,
    gapAfter: 4,
  });
  if (content.description) await w.text(content.description, { color: MUTED, gapAfter: 4 });
  if (content.value)
    await w.text(`Value: ${formatMoneySymbol(content.value)} (${content.value.currency})`, { style: "bold" });
  if (content.expiresAt) await w.text(`Offer expires: ${content.expiresAt}`);

  await w.heading("Parties");
  if (content.signers.length === 0) await w.text("No parties yet.", { color: MUTED });
  for (const s of sortedParties(content.signers)) await w.text(`${s.order}. ${s.name} <${s.email}> \u2014 ${s.role}`);

  await w.heading("Terms");
  await w.text(content.body || "(no body yet)");

  if (content.attachments.length > 0) {
    await w.heading("Attachments");
    for (const a of content.attachments) {
      await w.text(`${a.name} (${a.contentType}, ${a.size} bytes)`, { style: "bold" });
      await w.text(`SHA-256 ${a.sha256}`, { size: 8.5, color: MUTED, gapAfter: 2 });
    }
  }
}

const sortedParties = <T extends { order: number; email: string }>(signers: readonly T[]) =>
  [...signers].sort((a, b) => a.order - b.order || a.email.localeCompare(b.email));

/** Renders the contract; `fonts` reads the kept font files (assetFontLoader(env.ASSETS) in the Worker).
 * @throws ApiError VAL001 when the content holds a character no font covers */
export async function renderContractPdf(content: DocumentContent, fonts: FontLoader): Promise<Uint8Array> {
  const doc = await newDocument(content.title, `Escra contract ${content.id}, version ${content.version}`, FIXED_DATE);
  const w = new Writer(doc, fonts);
  await writeContract(w, content);
  await w.footers(`${content.id} v${content.version}`);
  return doc.save({ useObjectStreams: false });
}

/** Where the executed document is kept once rendered (re-sealed once at most, while it waits for a timestamp). */
export const executedDocumentKey = (contractId: string) => `contracts/${contractId}/executed.pdf`;

/** The final executed PDF under its own SHA-256 (hex): the bytes the execution record commits to, never rewritten. */
export const executedVersionKey = (contractId: string, sha256: string) =>
  `contracts/${contractId}/executed-${sha256}.pdf`;

export interface ExecutedContent {
  content: DocumentContent;
  /** SHA-256 of the frozen pre-signing PDF the parties signed (hex). */
  documentHash: string;
  activatedAt: string;
  /** The contract's owner (sender), shown among the parties. */
  owner: { id: string; name: string; email: string };
  /** Drawn or uploaded signature images by signer id (PNG or JPEG bytes). */
  images: Map<string, { bytes: Uint8Array; type: string }>;
}

interface SignatureView {
  type?: string;
  value?: string | null;
  address?: string | null;
  signedAt?: string;
  ip?: string | null;
}

/** A PNG or JPEG as a PDF image; null when the bytes do not decode (the block then says so in words). */
async function embedImage(doc: PDFDocument, image: { bytes: Uint8Array; type: string }) {
  try {
    return image.type === "image/png" ? await doc.embedPng(image.bytes) : await doc.embedJpg(image.bytes);
  } catch {
    return null;
  }
}

/**
 * The executed contract: the document as signed, then a signature block per party — name, role, the signature (typed
 * name in a handwriting face, or the drawn/uploaded image), wallet address for EIP-712, time, signer id — and the
 * owner as sender. Deterministic for the same facts (dates from the activation), so a re-render gives the same hash.
 */
export async function renderExecutedPdf(x: ExecutedContent, fonts: FontLoader): Promise<Uint8Array> {
  const { content } = x;
  const doc = await newDocument(
    `${content.title} (executed)`,
    `Escra executed contract ${content.id}`,
    new Date(x.activatedAt),
  );
  const w = new Writer(doc, fonts);
  await writeContract(w, content);

  await w.heading("Signatures");
  await w.text(`Signed document SHA-256 ${x.documentHash}; every required party signed by ${x.activatedAt}.`, {
    size: 8.5,
    color: MUTED,
    gapAfter: 4,
  });
  await w.text(`Sender: ${x.owner.name} <${x.owner.email}> (owner, ${x.owner.id})`, { style: "bold", gapAfter: 6 });
  for (const s of sortedParties(content.signers)) {
    const sig = (s.signature ?? null) as SignatureView | null;
    await w.text(`${s.name} <${s.email}> \u2014 ${s.role}`, { style: "bold" });
    const image = x.images.get(s.id);
    const embedded = image ? await embedImage(doc, image) : null;
    if (embedded) {
      const scale = Math.min(180 / embedded.width, 50 / embedded.height, 1);
      const { page, top } = w.space(embedded.height * scale + 6);
      page.drawImage(embedded, {
        x: PAGE.margin,
        y: top - embedded.height * scale - 3,
        width: embedded.width * scale,
        height: embedded.height * scale,
      });
    } else if (image) {
      await w.text(`Signed (${sig?.type ?? "image"}; the image could not be decoded)`, { size: 11 });
    } else if (sig?.type === "typed" && sig.value) {
      await w.text(sig.value, { size: 22, style: "hand" });
    } else if (sig?.type) {
      await w.text(`Signed (${sig.type})`, { size: 11 });
    } else if (s.status === "signed") {
      await w.text(s.role === "approver" ? "Approved" : "Signed", { size: 11 });
    } else {
      await w.text(`Not signed (${s.status})`, { size: 11, color: MUTED });
    }
    if (sig?.address) await w.text(`Wallet ${sig.address} (EIP-712)`, { size: 8.5 });
    await w.text(`Signer ${s.id} \u2014 ${s.signedAt ? `signed ${s.signedAt}` : s.status}`, {
      size: 8.5,
      color: MUTED,
      gapAfter: 8,
    });
  }
  await w.footers(`${content.id} v${content.version} executed`);
  return doc.save({ useObjectStreams: false });
}

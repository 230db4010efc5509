// Typesetting for the PDFs: picks the kept font per character (src/lib/fonts.ts), embeds only the faces a document
// uses (subset to the glyphs drawn), measures and wraps in linear time, and orders right-to-left text with the
// Unicode Bidirectional Algorithm (UAX #9, bidi-js). Every line is drawn as runs of one face and one direction.
// fontkit's Indic shaper was compiled with regenerator helpers that it expects as a global.
import "regenerator-runtime/runtime.js";
import fontkit from "@pdf-lib/fontkit";
import bidiFactory from "bidi-js";
import { PDFDocument, PDFHexString, PDFName, PDFOperator, PDFOperatorNames as Ops } from "pdf-lib";
import type { PDFFont, PDFPage, RGB } from "pdf-lib";
import { ApiError } from "./errors";
import { FONT_FACES, faceFor, type FontLoader, type FontStyle } from "./fonts";

const bidi = bidiFactory();

/** The fontkit font object: only the members measurement uses. */
interface Metrics {
  unitsPerEm: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
  layout(text: string): { advanceWidth: number };
}

/** Parsed fonts (for measuring) and their per-character advances, kept per isolate across documents. */
const parsed = new Map<number, { font: Metrics; advances: Map<number, number> }>();

/** Any right-to-left character (Hebrew, Arabic, Syriac, Thaana, NKo… and their presentation forms). */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|\ud802[\udc00-\udfff]|\ud83a[\udc00-\udfff]/;
/** Characters that stay in the face of the run they are in when it has them (spaces, marks, punctuation). */
const JOINS = /[\s\p{M}\p{P}]/u;
/** Faces whose glyph order differs from the text (vowel signs drawn before their consonant): the PDF carries the
 * text as ActualText (ISO 32000-1 §14.9.4) so copying and extraction give the characters as written. */
const ACTUAL_TEXT = /devanagari/;

interface Run {
  text: string;
  face: number;
  level: number;
  width: number;
}

export class FontBook {
  private readonly embedded = new Map<number, PDFFont>();

  constructor(
    private readonly doc: PDFDocument,
    private readonly load: FontLoader,
  ) {
    doc.registerFontkit(fontkit);
  }

  /** Loads and embeds every face that `text` needs in `style`; measuring and drawing are synchronous after this.
   * @throws ApiError VAL001 (path "document") for a character no font covers — never drawn as '?' */
  async prepare(text: string, style: FontStyle): Promise<void> {
    const needed = new Set<number>();
    for (const ch of text) {
      if (ch === "\n" || ch === "\r" || ch === "\t") continue;
      const face = faceFor(ch.codePointAt(0)!, style);
      if (face < 0) {
        throw new ApiError("VAL001", "The document cannot show some characters", {
          details: [{ path: "document", message: `no font covers "${ch}"`, characters: [ch] }],
        });
      }
      if (!this.embedded.has(face)) needed.add(face);
    }
    await Promise.all([...needed].map((face) => this.embed(face)));
  }

  private async embed(face: number): Promise<void> {
    const bytes = await this.load(FONT_FACES[face]!.file);
    if (!parsed.has(face)) parsed.set(face, { font: fontkit.create(bytes) as unknown as Metrics, advances: new Map() });
    if (!this.embedded.has(face)) this.embedded.set(face, await this.doc.embedFont(bytes, { subset: true }));
  }

  /** Splits logical text into runs of one face; spaces, marks and punctuation stay in the run's face if it has them. */
  private runs(text: string, style: FontStyle): { text: string; face: number }[] {
    const out: { text: string; face: number }[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const last = out.at(-1);
      if (last && JOINS.test(ch) && parsed.get(last.face)!.font.hasGlyphForCodePoint(cp)) {
        last.text += ch;
        continue;
      }
      const face = faceFor(cp, style);
      if (last && last.face === face) last.text += ch;
      else out.push({ text: ch, face });
    }
    return out;
  }

  private runWidth(text: string, face: number, size: number): number {
    const { font, advances } = parsed.get(face)!;
    if (FONT_FACES[face]!.shaped) return (font.layout(text).advanceWidth * size) / font.unitsPerEm;
    let units = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let adv = advances.get(cp);
      if (adv === undefined) advances.set(cp, (adv = font.glyphForCodePoint(cp).advanceWidth));
      units += adv;
    }
    return (units * size) / font.unitsPerEm;
  }

  /** Width in points of `text` at `size` (prepared first). */
  width(text: string, style: FontStyle, size: number): number {
    let w = 0;
    for (const r of this.runs(text, style)) w += this.runWidth(r.text, r.face, size);
    return w;
  }

  /** Breaks a paragraph into lines no wider than `max` points: greedy over words, and a word wider than a line is
   * cut between characters. Each word and character is measured once, so the time is linear in the text. */
  wrap(paragraph: string, style: FontStyle, size: number, max: number): string[] {
    const lines: string[] = [];
    const space = this.width(" ", style, size);
    let line = "";
    let lineWidth = 0;
    for (const word of paragraph.split(" ")) {
      const w = this.width(word, style, size);
      if (line === "" ? w <= max : lineWidth + space + w <= max) {
        lineWidth = line === "" ? w : lineWidth + space + w;
        line = line === "" ? word : `${line} ${word}`;
        continue;
      }
      if (line !== "") lines.push(line);
      line = "";
      lineWidth = 0;
      if (w <= max) {
        line = word;
        lineWidth = w;
        continue;
      }
      // Cut between clusters (a character and its combining marks), accumulating widths.
      for (const cluster of word.match(/\P{M}\p{M}*|\p{M}+/gu) ?? []) {
        const cw = this.width(cluster, style, size);
        if (line !== "" && lineWidth + cw > max) {
          lines.push(line);
          line = "";
          lineWidth = 0;
        }
        line += cluster;
        lineWidth += cw;
      }
    }
    lines.push(line);
    return lines;
  }

  /** Direction of a paragraph: right-to-left when its first strong character is (UAX #9 P2–P3). */
  paragraphIsRtl(paragraph: string): boolean {
    if (!RTL.test(paragraph)) return false;
    return (bidi.getEmbeddingLevels(paragraph, "auto").paragraphs[0]?.level ?? 0) % 2 === 1;
  }

  /** The line's runs in visual (left-to-right drawing) order, with their widths. */
  private visualRuns(line: string, style: FontStyle, size: number, rtl: boolean): Run[] {
    const pieces: Run[] = [];
    if (!RTL.test(line) && !rtl) {
      for (const r of this.runs(line, style)) pieces.push({ ...r, level: 0, width: this.runWidth(r.text, r.face, size) });
      return pieces;
    }
    const { levels } = bidi.getEmbeddingLevels(line, rtl ? "rtl" : "ltr");
    // Split by level first (UTF-16 indexes, as bidi-js reports them), then by face.
    let start = 0;
    for (let i = 1; i <= line.length; i++) {
      if (i < line.length && levels[i] === levels[start]) continue;
      if (i < line.length && line.charCodeAt(i) >= 0xdc00 && line.charCodeAt(i) <= 0xdfff) continue;
      const level = levels[start]!;
      for (const r of this.runs(line.slice(start, i), style)) {
        pieces.push({ ...r, level, width: this.runWidth(r.text, r.face, size) });
      }
      start = i;
    }
    // UAX #9 L2: from the highest level down to the lowest odd one, reverse every sequence at that level or above.
    // Glyphs inside a right-to-left run are reversed by fontkit's layout, which knows the script's direction.
    const max = Math.max(...pieces.map((p) => p.level));
    const minOdd = Math.min(...pieces.map((p) => (p.level % 2 ? p.level : p.level + 1)));
    for (let level = max; level >= minOdd; level--) {
      for (let i = 0; i < pieces.length; i++) {
        if (pieces[i]!.level < level) continue;
        let j = i;
        while (j + 1 < pieces.length && pieces[j + 1]!.level >= level) j++;
        pieces.splice(i, j - i + 1, ...pieces.slice(i, j + 1).reverse());
        i = j;
      }
    }
    return pieces;
  }

  /** Draws one line: left-aligned at `x`, or right-aligned to `x + max` in a right-to-left paragraph. */
  drawLine(page: PDFPage, line: string, o: { x: number; y: number; max: number; size: number; style: FontStyle; color: RGB; rtl: boolean }) {
    const runs = this.visualRuns(line, o.style, o.size, o.rtl);
    const total = runs.reduce((sum, r) => sum + r.width, 0);
    let x = o.rtl ? o.x + o.max - total : o.x;
    for (const r of runs) {
      const font = this.embedded.get(r.face)!;
      const actual = ACTUAL_TEXT.test(FONT_FACES[r.face]!.file) && r.text.trim() !== "";
      if (actual) {
        const props = this.doc.context.obj({ ActualText: PDFHexString.fromText(r.text) });
        // An inline property list is a valid BDC operand (ISO 32000-1 §14.6.2); pdf-lib's operand type omits dicts.
        page.pushOperators(PDFOperator.of(Ops.BeginMarkedContentSequence, [PDFName.of("Span"), props as never]));
      }
      page.drawText(r.text, { x, y: o.y, size: o.size, font, color: o.color });
      if (actual) page.pushOperators(PDFOperator.of(Ops.EndMarkedContent));
      x += r.width;
    }
  }
}

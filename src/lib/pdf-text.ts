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

interface Metrics {
  unitsPerEm: number;
  hasGlyphForCodePoint(cp: number): boolean;
  glyphForCodePoint(cp: number): { advanceWidth: number };
  layout(text: string): { advanceWidth: number };
}

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

/** The fontkit font object: the members this module and pdf-lib's embedder use. */
/** A glyph's placement from OpenType GPOS (font units): mark attachment and kerning that the plain advances miss. */
interface GlyphPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
}

interface GlyphRun {
  glyphs: { advanceWidth: number }[];
  positions: GlyphPosition[];
  advanceWidth: number;
}

interface KitFont extends Metrics {
  layout: (text: string, features?: unknown) => GlyphRun;
}

/** Glyphs that the next pdf-lib `drawText` must encode instead of laying its text out again (see drawShaped). */
let forcedGlyphs: GlyphRun["glyphs"] | null = null;

/** Parsed fonts per face, kept per isolate across documents together with their measured advances. */
const parsed = new Map<number, { font: KitFont; advances: Map<number, number> }>();
/** The same parsed font for pdf-lib's embedder (it receives the bytes object the loader returned for the face). */
const byBytes = new WeakMap<Uint8Array, KitFont>();
const sharedKit = { create: (bytes: Uint8Array) => byBytes.get(bytes) ?? fontkit.create(bytes) };
const LAYOUT_CACHE = 4_000;

/** fontkit's TrueType subsetter (TTFSubset, @pdf-lib/fontkit 1.1.1) copies each glyph's bytes unpadded and then
 * picks the short `loca` format (offsets stored halved, OpenType `loca` spec) whenever the subset is under 128 KiB:
 * after a glyph of odd length every later offset is off by one byte, so those glyphs decode as garbage and are not
 * drawn. Arabic (contextual forms plus separate dot glyphs) and some Devanagari conjuncts hit it. Padding every
 * glyph to an even length — what the spec asks of short-`loca` fonts — keeps the offsets exact. Patched once, on the
 * subset class itself, so pdf-lib's embedder (which calls `font.createSubset()`) gets it. */
interface SubsetProto {
  _addGlyph(this: SubsetThis, gid: number): number;
  __evenGlyphs?: true;
}
interface SubsetThis {
  glyf: { length: number; constructor: unknown }[];
  offset: number;
}
function padSubsetGlyphs(font: { createSubset(): object }) {
  const proto = Object.getPrototypeOf(font.createSubset()) as SubsetProto;
  if (proto.__evenGlyphs || typeof proto._addGlyph !== "function") return;
  const addGlyph = proto._addGlyph;
  proto._addGlyph = function (this: SubsetThis, gid: number) {
    const index = addGlyph.call(this, gid);
    const bytes = this.glyf[index] as unknown as Uint8Array;
    if (bytes.length % 2 === 1) {
      // Same class as fontkit's own buffers (its Buffer polyfill), one zero byte longer.
      const Ctor = bytes.constructor as { alloc?: (n: number) => Uint8Array };
      const padded = Ctor.alloc ? Ctor.alloc(bytes.length + 1) : new Uint8Array(bytes.length + 1);
      padded.set(bytes);
      this.glyf[index] = padded as never;
      this.offset += 1;
    }
    return index;
  };
  proto.__evenGlyphs = true;
}

/** Parses a face once per isolate and fits its layout to how the PDF uses it. pdf-lib draws a custom font through
 * fontkit's layout and keeps only the glyph ids. Scripts without shaping (Latin, Greek, Cyrillic, Hebrew, CJK) have
 * one glyph per character, so they skip the OpenType pass (it cost seconds per long document). Shaped scripts
 * (Arabic joining, Devanagari reordering) keep it, memoised per text: fontkit shapes one word in milliseconds. */
function parseFace(face: number, bytes: Uint8Array) {
  const font = fontkit.create(bytes) as unknown as KitFont;
  padSubsetGlyphs(font as unknown as { createSubset(): object });
  const full = font.layout.bind(font);
  if (FONT_FACES[face]!.shaped) {
    const memo = new Map<string, ReturnType<KitFont["layout"]>>();
    font.layout = (text: string) => {
      if (forcedGlyphs) return { glyphs: forcedGlyphs, positions: [], advanceWidth: 0 };
      let run = memo.get(text);
      if (!run) {
        if (memo.size >= LAYOUT_CACHE) memo.clear();
        memo.set(text, (run = full(text)));
      }
      return run;
    };
  } else {
    const glyphs = new Map<number, { advanceWidth: number }>();
    font.layout = (text: string) => {
      const out: { advanceWidth: number }[] = [];
      let advanceWidth = 0;
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        let g = glyphs.get(cp);
        if (g === undefined) glyphs.set(cp, (g = font.glyphForCodePoint(cp)));
        out.push(g);
        advanceWidth += g.advanceWidth;
      }
      return { glyphs: out, positions: [], advanceWidth };
    };
  }
  byBytes.set(bytes, font);
  parsed.set(face, { font, advances: new Map() });
}

export class FontBook {
  private readonly embedded = new Map<number, PDFFont>();

  constructor(
    private readonly doc: PDFDocument,
    private readonly load: FontLoader,
  ) {
    doc.registerFontkit(sharedKit as never);
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
    if (!parsed.has(face) || !byBytes.has(bytes)) parseFace(face, bytes);
    if (!this.embedded.has(face)) this.embedded.set(face, await this.doc.embedFont(bytes, { subset: true }));
  }

  /** Splits logical text into runs of one face; spaces, marks and punctuation stay in the run's face if it has them.
   * Shaped runs are split after each space, so each word is shaped once and reused (see parseFace). */
  private runs(text: string, style: FontStyle): { text: string; face: number }[] {
    const out: { text: string; face: number }[] = [];
    let start = 0;
    let face = -2;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      const next = i + (cp > 0xffff ? 2 : 1);
      const f = faceFor(cp, style);
      if (f !== face) {
        const ch = text.slice(i, next);
        const stays = face >= 0 && JOINS.test(ch) && parsed.get(face)!.font.hasGlyphForCodePoint(cp);
        if (!stays) {
          if (i > start) out.push({ text: text.slice(start, i), face });
          start = i;
          face = f;
        }
      }
      i = next;
    }
    if (text.length > start) out.push({ text: text.slice(start), face });
    return out.flatMap((r) =>
      FONT_FACES[r.face]!.shaped ? r.text.split(/(?<= )/).map((t) => ({ text: t, face: r.face })) : [r],
    );
  }

  private advance(face: number, cp: number): number {
    const { font, advances } = parsed.get(face)!;
    let adv = advances.get(cp);
    if (adv === undefined) advances.set(cp, (adv = font.glyphForCodePoint(cp).advanceWidth / font.unitsPerEm));
    return adv;
  }

  private runWidth(text: string, face: number, size: number): number {
    if (FONT_FACES[face]!.shaped) {
      const { font } = parsed.get(face)!;
      return (font.layout(text).advanceWidth * size) / font.unitsPerEm;
    }
    let em = 0;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      em += this.advance(face, cp);
      i += cp > 0xffff ? 2 : 1;
    }
    return em * size;
  }

  /** Width in points of `text` at `size` (prepared first). Per character for unshaped faces; by runs otherwise. */
  width(text: string, style: FontStyle, size: number): number {
    let em = 0;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      const face = faceFor(cp, style);
      if (FONT_FACES[face]!.shaped) {
        let w = 0;
        for (const r of this.runs(text, style)) w += this.runWidth(r.text, r.face, size);
        return w;
      }
      em += this.advance(face, cp);
      i += cp > 0xffff ? 2 : 1;
    }
    return em * size;
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
      for (const r of this.runs(line, style))
        pieces.push({ ...r, level: 0, width: this.runWidth(r.text, r.face, size) });
      return pieces;
    }
    const { levels } = bidi.getEmbeddingLevels(line, rtl ? "rtl" : "ltr");
    // UAX #9 L4: paired punctuation in right-to-left runs is drawn with its mirror glyph ("(" as ")").
    const mirrored = bidi.getMirroredCharactersMap(line, levels);
    if (mirrored.size)
      line = line
        .split("")
        .map((unit, i) => mirrored.get(i) ?? unit)
        .join("");
    // Split by level first (UTF-16 indexes, as bidi-js reports them), then by face.
    let start = 0;
    for (let i = 1; i <= line.length; i++) {
      if (i < line.length && levels[i] === levels[start]) continue;
      if (i < line.length && line.charCodeAt(i) >= 0xdc00 && line.charCodeAt(i) <= 0xdfff) continue;
      const level = levels[start]!;
      for (const r of this.runs(line.slice(start, i), style)) {
        // fontkit's shaping reverses a right-to-left run's glyphs itself; unshaped faces (Hebrew) are reversed here.
        const text = level % 2 && !FONT_FACES[r.face]!.shaped ? [...r.text].reverse().join("") : r.text;
        pieces.push({ text, face: r.face, level, width: this.runWidth(r.text, r.face, size) });
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

  /** Draws a shaped run glyph by glyph where OpenType positioning (GPOS) moves a glyph off the plain advance: the
   * dots and vowel marks of Arabic, the matras of Devanagari. A PDF text string only advances by each glyph's width,
   * so those glyphs get their own placement; stretches without adjustment are drawn as one string. */
  private drawShaped(page: PDFPage, r: Run, o: { x: number; y: number; size: number; color: RGB }) {
    const { font } = parsed.get(r.face)!;
    const { glyphs, positions } = font.layout(r.text);
    const scale = o.size / font.unitsPerEm;
    const pdfFont = this.embedded.get(r.face)!;
    let pen = 0;
    let start = 0;
    let startPen = 0;
    const flush = (end: number, dx: number, dy: number) => {
      if (end <= start) return;
      forcedGlyphs = glyphs.slice(start, end);
      try {
        // The text is a placeholder: fontkit's layout returns forcedGlyphs (pdf-lib keeps their ids and cmap).
        const at = { x: o.x + (startPen + dx) * scale, y: o.y + dy * scale };
        page.drawText("x", { ...at, size: o.size, font: pdfFont, color: o.color });
      } finally {
        forcedGlyphs = null;
      }
    };
    for (let i = 0; i < glyphs.length; i++) {
      const p = positions[i] ?? { xAdvance: glyphs[i]!.advanceWidth, yAdvance: 0, xOffset: 0, yOffset: 0 };
      const plain = p.xOffset === 0 && p.yOffset === 0 && p.xAdvance === glyphs[i]!.advanceWidth;
      if (!plain) {
        flush(i, 0, 0);
        start = i;
        startPen = pen;
        flush(i + 1, p.xOffset, p.yOffset);
        start = i + 1;
        startPen = pen + p.xAdvance;
      }
      pen += p.xAdvance;
    }
    flush(glyphs.length, 0, 0);
  }

  /** Draws one line: left-aligned at `x`, or right-aligned to `x + max` in a right-to-left paragraph. A line with a
   * reordering script is wrapped in one ActualText span holding the line as written. */
  drawLine(
    page: PDFPage,
    line: string,
    o: { x: number; y: number; max: number; size: number; style: FontStyle; color: RGB; rtl: boolean },
  ) {
    const runs = this.visualRuns(line, o.style, o.size, o.rtl);
    const total = runs.reduce((sum, r) => sum + r.width, 0);
    let x = o.rtl ? o.x + o.max - total : o.x;
    const actual = runs.some((r) => ACTUAL_TEXT.test(FONT_FACES[r.face]!.file));
    if (actual) {
      const props = this.doc.context.obj({ ActualText: PDFHexString.fromText(line) });
      // An inline property list is a valid BDC operand (ISO 32000-1 §14.6.2); pdf-lib's operand type omits dicts.
      page.pushOperators(PDFOperator.of(Ops.BeginMarkedContentSequence, [PDFName.of("Span"), props as never]));
    }
    for (const r of runs) {
      if (FONT_FACES[r.face]!.shaped) this.drawShaped(page, r, { x, y: o.y, size: o.size, color: o.color });
      else page.drawText(r.text, { x, y: o.y, size: o.size, font: this.embedded.get(r.face)!, color: o.color });
      x += r.width;
    }
    if (actual) page.pushOperators(PDFOperator.of(Ops.EndMarkedContent));
  }
}

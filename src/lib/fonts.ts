// Which kept font draws each character (Noto families + a handwriting face, public/fonts/, served via ASSETS), the
// per-isolate font cache, and the check that refuses text no font covers (VAL001 naming the field, never a '?').
// The manifest is written by scripts/font-assets.ts from the fonts' own cmaps.
import manifest from "./font-manifest.json";
import { ApiError, type ErrorDetail } from "./errors";
import { BIDI_CONTROLS, LINE_BREAKING } from "../domain/one-line-text";

export type FontStyle = "regular" | "bold" | "hand";
type Range = [number, number, number];

export const FONT_FACES: readonly { file: string; shaped: boolean }[] = manifest.faces;
const RANGES = manifest.ranges as Record<FontStyle, Range[]>;

function search(ranges: Range[], cp: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (cp < r[0]) hi = mid - 1;
    else if (cp > r[1]) lo = mid + 1;
    else return r[2];
  }
  return -1;
}

/** Index into FONT_FACES of the face that draws code point `cp` in `style` (bold/hand fall back to regular); -1: none. */
export function faceFor(cp: number, style: FontStyle = "regular"): number {
  if (style !== "regular") {
    const own = search(RANGES[style], cp);
    if (own >= 0) return own;
  }
  return search(RANGES.regular, cp);
}

/** Characters the renderer handles without a glyph: line breaks and tabs (drawn as spaces). */
const LAYOUT_CHARS = new Set(["\n", "\r", "\t"]);

/** The distinct characters of `text` (NFC) that no kept font covers, in order of first appearance. */
export function uncoveredCharacters(text: string): string[] {
  const missing = new Set<string>();
  for (const ch of text.normalize("NFC")) {
    if (!LAYOUT_CHARS.has(ch) && faceFor(ch.codePointAt(0)!) < 0) missing.add(ch);
  }
  return [...missing];
}

const describe = (ch: string) => `"${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`;

/** One VAL001 detail per field whose text holds a character no font covers; `fields` maps a path to its text. */
export function unrenderableDetails(fields: Record<string, string | null | undefined>): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const [path, text] of Object.entries(fields)) {
    if (!text) continue;
    const missing = uncoveredCharacters(text);
    if (missing.length === 0) continue;
    const shown = missing.slice(0, 5).map(describe).join(", ");
    details.push({
      path,
      message: `no font covers ${shown}${missing.length > 5 ? " and more" : ""}`,
      characters: missing,
    });
  }
  return details;
}

/** Throws VAL001 naming each field that holds a character the PDF could not draw. */
export function assertRenderable(fields: Record<string, string | null | undefined>): void {
  const details = unrenderableDetails(fields);
  if (details.length) throw new ApiError("VAL001", "The document cannot show some characters", { details });
}

const LINE_BREAKS = new RegExp(`${LINE_BREAKING.source}+`, "g");
const BIDI_CONTROL_RUNS = new RegExp(`${BIDI_CONTROLS.source}+`, "g");

/**
 * Text we did not get to validate (a sign-in provider's display name) made fit for documents and headers: one line
 * (control characters and line separators become spaces, bidirectional overrides and isolates are dropped),
 * characters no font covers dropped, spaces collapsed.
 * @param maxLength at most this many UTF-16 units (zod's `.max`), cut between characters: never half a surrogate pair
 * @returns the cleaned text; empty when nothing drawable is left
 */
export function drawableLine(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const missing = new Set(uncoveredCharacters(text));
  const line = [...text.normalize("NFC").replace(LINE_BREAKS, " ").replace(BIDI_CONTROL_RUNS, "")]
    .filter((ch) => !missing.has(ch))
    .join("")
    .replace(/\s+/g, " ")
    .trim();
  if (line.length <= maxLength) return line;
  let cut = "";
  for (const ch of line) {
    if (cut.length + ch.length > maxLength) break;
    cut += ch;
  }
  return cut.trim();
}

/** zod check for text that goes into a PDF: `z.string().superRefine(renderableText)` refuses (VAL001, at the
 * field's path) a character no kept font covers, listing the characters. */
export function renderableText(
  value: string | null | undefined,
  ctx: { addIssue(issue: { code: "custom"; message: string }): void },
) {
  if (!value) return;
  const details = unrenderableDetails({ value });
  if (details[0]) ctx.addIssue({ code: "custom", message: details[0].message });
}

/** Reads a font file (name as in FONT_FACES) as bytes. */
export type FontLoader = (file: string) => Promise<Uint8Array>;

// Only resolved bytes are shared across requests: a pending fetch belongs to the request (or Durable Object) that
// started it, and awaiting it from another one fails with "Cannot perform I/O on behalf of a different request"
// (workerd). Two first renders racing in one isolate each fetch the file once; afterwards all reuse it.
const cache = new Map<string, Uint8Array>();

/** Fonts from the static assets (public/fonts/), cached per isolate: each file is fetched about once per isolate. */
export function assetFontLoader(assets: Fetcher): FontLoader {
  return async (file) => {
    const cached = cache.get(file);
    if (cached) return cached;
    const res = await assets.fetch(`http://assets/fonts/${file}`);
    if (!res.ok) throw new Error(`font ${file}: assets answered ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    cache.set(file, bytes);
    return bytes;
  };
}

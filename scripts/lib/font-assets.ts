// Unpacks the kept Noto/handwriting font files (OFL, WOFF from @fontsource/*) into public/fonts/ as plain TrueType
// and writes the coverage manifest the Worker uses to pick a font per character and to refuse characters no font
// covers. Unpacked once here because fontkit's pure-JS inflate took seconds per document inside the Worker.
// Fonts are static assets, not bundle code: Noto CJK alone is ~20 MB (PLATFORM-NOTES "Documents").
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fontkit from "@pdf-lib/fontkit";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const FONT_ASSETS_DIR = join(root, "public", "fonts");
export const FONT_MANIFEST = join(root, "src", "lib", "font-manifest.json");

/** One slice of a font family as shipped by Fontsource: WOFF 1 (zlib), which fontkit reads without a decoder. */
interface Slice {
  pkg: string;
  file: string;
}

const files = (pkg: string, test: (name: string) => boolean): Slice[] =>
  readdirSync(join(root, "node_modules", "@fontsource", pkg, "files"))
    .filter((f) => f.endsWith(".woff") && test(f))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((file) => ({ pkg, file }));
const named = (pkg: string, weight: number, subsets: string[]): Slice[] =>
  subsets.map((s) => ({ pkg, file: `${pkg}-${s}-${weight}-normal.woff` }));
/** CJK families come in ~100 numbered slices each (plus latin ones that Noto Sans already covers). */
const numbered = (pkg: string) => files(pkg, (f) => new RegExp(`^${pkg}-\\d+-400-normal\\.woff$`).test(f));

const NOTO_SUBSETS = [
  "latin",
  "latin-ext",
  "vietnamese",
  "greek",
  "greek-ext",
  "cyrillic",
  "cyrillic-ext",
  "devanagari",
];

/** Fallback order per style: the first slice whose cmap has a character draws it; bold and hand fall back to
 * regular for every character their own slices lack. */
function styles(): Record<"regular" | "bold" | "hand", Slice[]> {
  const rest = [
    ...named("noto-sans-arabic", 400, ["arabic"]),
    ...named("noto-sans-hebrew", 400, ["hebrew"]),
    ...numbered("noto-sans-sc"),
    ...numbered("noto-sans-kr"),
  ];
  const regular = [...named("noto-sans", 400, NOTO_SUBSETS), ...rest];
  return {
    regular,
    bold: [...named("noto-sans", 700, NOTO_SUBSETS), ...named("noto-sans-arabic", 700, ["arabic"])],
    hand: named("dancing-script", 400, ["latin", "latin-ext", "vietnamese"]),
  };
}

/** Manifest: `faces[i]` is a file under /fonts/; `ranges[style]` is sorted [first, last, face] codepoint ranges. */
export interface FontManifest {
  faces: { file: string; shaped: boolean }[];
  ranges: Record<string, [number, number, number][]>;
}

/** WOFF 1.0 (W3C, §4–5) to the sfnt it wraps: the same tables, zlib-inflated, with a rebuilt table directory. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("not a WOFF 1.0 file");
  const numTables = woff.readUInt16BE(12);
  const tables: { tag: string; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    tables.push({
      tag: woff.toString("latin1", at, at + 4),
      checksum: woff.readUInt32BE(at + 16),
      data: compLength < origLength ? inflateSync(raw) : Buffer.from(raw),
    });
  }
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + numTables * 16);
  header.writeUInt32BE(woff.readUInt32BE(4), 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((t, i) => {
    header.write(t.tag, 12 + i * 16, "latin1");
    header.writeUInt32BE(t.checksum, 16 + i * 16);
    header.writeUInt32BE(offset, 20 + i * 16);
    header.writeUInt32BE(t.data.length, 24 + i * 16);
    const padded = Buffer.alloc(Math.ceil(t.data.length / 4) * 4);
    t.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

/** Scripts whose glyphs change with context (joining, reordering): measured by shaping, not per character. */
const SHAPED = /arabic|devanagari/;

export function buildFontAssets(): FontManifest {
  mkdirSync(FONT_ASSETS_DIR, { recursive: true });
  const faces: FontManifest["faces"] = [];
  const faceIndex = new Map<string, number>();
  const charsets = new Map<string, number[]>();
  const ranges: FontManifest["ranges"] = {};
  const skipped = new Set<string>();
  for (const [style, slices] of Object.entries(styles())) {
    const owner = new Map<number, number>();
    for (const { pkg, file } of slices) {
      if (skipped.has(file)) continue;
      const source = join(root, "node_modules", "@fontsource", pkg, "files", file);
      if (!faceIndex.has(file)) {
        if (!existsSync(source)) throw new Error(`font ${source} missing; run npm install`);
        let charset: number[];
        let sfnt: Buffer;
        try {
          sfnt = woffToSfnt(readFileSync(source));
          charset = fontkit.create(sfnt as never).characterSet as number[];
        } catch {
          skipped.add(file);
          // One Fontsource CJK slice (noto-sans-sc-101) has a cmap fontkit cannot read; later slices cover the rest.
          continue;
        }
        const ttf = file.replace(/\.woff$/, ".ttf");
        const target = join(FONT_ASSETS_DIR, ttf);
        if (!existsSync(target) || !readFileSync(target).equals(sfnt)) writeFileSync(target, sfnt);
        faceIndex.set(file, faces.length);
        faces.push({ file: ttf, shaped: SHAPED.test(file) });
        charsets.set(file, charset);
      }
      const face = faceIndex.get(file)!;
      for (const cp of charsets.get(file)!) if (cp >= 0x20 && !owner.has(cp)) owner.set(cp, face);
    }
    const list: [number, number, number][] = [];
    for (const cp of [...owner.keys()].sort((a, b) => a - b)) {
      const last = list.at(-1);
      const face = owner.get(cp)!;
      if (last && last[1] === cp - 1 && last[2] === face) last[1] = cp;
      else list.push([cp, cp, face]);
    }
    ranges[style] = list;
  }
  return { faces, ranges };
}

/** Copies the fonts and rewrites the manifest when its content changed; returns the number of faces. */
export function ensureFontAssets(): number {
  const manifest = buildFontAssets();
  const json = JSON.stringify(manifest);
  if (!existsSync(FONT_MANIFEST) || readFileSync(FONT_MANIFEST, "utf8") !== json) writeFileSync(FONT_MANIFEST, json);
  return manifest.faces.length;
}

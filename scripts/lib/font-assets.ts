// Copies the kept Noto/handwriting font files (OFL, from @fontsource/*) into public/fonts/ and writes the coverage
// manifest the Worker uses to pick a font per character and to refuse characters no font covers.
// Fonts are static assets, not bundle code: Noto CJK alone is ~20 MB (PLATFORM-NOTES "Documents").
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fontkit from "@pdf-lib/fontkit";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const FONT_ASSETS_DIR = join(root, "public", "fonts");
export const FONT_MANIFEST = join(root, "src", "lib", "font-manifest.json");

/** One slice of a font family as shipped by Fontsource: WOFF 1 (zlib), which fontkit reads without a decoder. */
interface Slice { pkg: string; file: string }

const files = (pkg: string, test: (name: string) => boolean): Slice[] =>
  readdirSync(join(root, "node_modules", "@fontsource", pkg, "files"))
    .filter((f) => f.endsWith(".woff") && test(f))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((file) => ({ pkg, file }));
const named = (pkg: string, weight: number, subsets: string[]): Slice[] =>
  subsets.map((s) => ({ pkg, file: `${pkg}-${s}-${weight}-normal.woff` }));
/** CJK families come in ~100 numbered slices each (plus latin ones that Noto Sans already covers). */
const numbered = (pkg: string) => files(pkg, (f) => new RegExp(`^${pkg}-\\d+-400-normal\\.woff$`).test(f));

const NOTO_SUBSETS = ["latin", "latin-ext", "vietnamese", "greek", "greek-ext", "cyrillic", "cyrillic-ext", "devanagari"];

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
        try {
          charset = fontkit.create(readFileSync(source) as never).characterSet as number[];
        } catch {
          skipped.add(file);
          // One Fontsource CJK slice (noto-sans-sc-101) has a cmap fontkit cannot read; later slices cover the rest.
          continue;
        }
        const target = join(FONT_ASSETS_DIR, file);
        if (!existsSync(target) || statSync(target).size !== statSync(source).size) copyFileSync(source, target);
        faceIndex.set(file, faces.length);
        faces.push({ file, shaped: SHAPED.test(file) });
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

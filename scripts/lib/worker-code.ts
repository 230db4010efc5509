// The Worker's own modules run in Node by the scripts that show or time them (docs screenshots, the PDF bench):
// bundled with esbuild exactly as written for workerd, the fonts read from public/fonts, PDFs pictured by pdftoppm.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ensureFontAssets, FONT_ASSETS_DIR } from "./font-assets.ts";
import { ROOT } from "./processes.ts";

/** Scratch files of the scripts (bundles, PDFs); git ignores it. */
export const SCRATCH_DIR = join(ROOT, ".bench");

/**
 * Bundles `modules` (paths from the project root, e.g. "src/lib/contract-pdf.ts") into `.bench/<name>.mjs` and
 * imports it. The caller types the exports it uses: src/ is checked against the Workers types, scripts/ against
 * Node's, so the modules' own types cannot be imported here.
 */
export async function importWorkerModules<T>(name: string, modules: readonly string[]): Promise<T> {
  mkdirSync(SCRATCH_DIR, { recursive: true });
  const outfile = join(SCRATCH_DIR, `${name}.mjs`);
  await build({
    stdin: {
      contents: modules.map((m) => `export * from "./${m}";`).join("\n"),
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    outfile,
    logLevel: "error",
  });
  return (await import(outfile)) as T;
}

/** A font file's bytes → the renderers' font loader; one bytes object per file, as the Worker's cache keeps it. */
export type FontLoader = (file: string) => Promise<Uint8Array>;

/** The renderers' font loader over public/fonts (unpacked from npm on first use). */
export function localFonts(): FontLoader {
  ensureFontAssets();
  const loaded = new Map<string, Uint8Array>();
  return async (file) => {
    if (!loaded.has(file)) loaded.set(file, new Uint8Array(readFileSync(join(FONT_ASSETS_DIR, file))));
    return loaded.get(file)!;
  };
}

/**
 * Writes `pdf` to `.bench/<name>.pdf` and its first page as `docs/<name>.png` at 80 dpi (pdftoppm, Debian
 * poppler-utils); returns the PNG's path from the project root.
 */
export function pictureFirstPage(name: string, pdf: Uint8Array): string {
  mkdirSync(SCRATCH_DIR, { recursive: true });
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  const file = join(SCRATCH_DIR, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", file, join(ROOT, "docs", name)]);
  return `docs/${name}.png`;
}

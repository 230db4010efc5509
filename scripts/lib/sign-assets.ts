// Builds the hosted signing page's assets into public/sign-assets/ (served at /sign-assets/, git-ignored): the
// page script bundled by esbuild with pdf.js and signature_pad, its stylesheet, and pdf.js's worker. Generated on
// install like the docs assets, so a fresh clone stays clean and nothing is fetched from a CDN at run time.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const SIGN_ASSETS_DIR = join(root, "public", "sign-assets");
const SOURCE_DIR = join(root, "web", "sign");

/** Bundles and copies; returns the output directory. Fast enough (< 1 s) to run before every dev server start. */
export async function buildSignAssets(): Promise<string> {
  mkdirSync(SIGN_ASSETS_DIR, { recursive: true });
  await build({
    entryPoints: [join(SOURCE_DIR, "sign.ts")],
    outfile: join(SIGN_ASSETS_DIR, "sign.js"),
    bundle: true,
    format: "esm",
    target: ["es2022"],
    minify: true,
    legalComments: "linked",
    logLevel: "warning",
  });
  copyFileSync(join(SOURCE_DIR, "sign.css"), join(SIGN_ASSETS_DIR, "sign.css"));
  copyFileSync(
    join(root, "node_modules", "pdfjs-dist", "build", "pdf.worker.min.mjs"),
    join(SIGN_ASSETS_DIR, "pdf.worker.min.mjs"),
  );
  return SIGN_ASSETS_DIR;
}

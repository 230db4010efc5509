// Copies the Scalar API reference bundle from node_modules into the static assets served at /docs-assets/.
// Generated rather than committed: the bundle is 4 MB of third-party code pinned by package-lock.json.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const DOCS_ASSETS_DIR = join(root, "public", "docs-assets");
/** The page in src/routes/docs.ts loads exactly this path. */
export const SCALAR_TARGET = join(DOCS_ASSETS_DIR, "scalar.js");

/** The self-contained browser build (no chunks, styles injected by the script itself). The package's
 * `exports` map does not expose dist/browser, so it is read from the installed package directly. */
const SCALAR_SOURCE = join(root, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");

/** Copies the bundle when missing or different in size/age; returns the target path. */
export function ensureDocsAssets(): string {
  const source = SCALAR_SOURCE;
  if (!existsSync(source)) throw new Error(`Scalar bundle not found at ${source}; run npm install`);
  const fresh =
    existsSync(SCALAR_TARGET) &&
    statSync(SCALAR_TARGET).size === statSync(source).size &&
    statSync(SCALAR_TARGET).mtimeMs >= statSync(source).mtimeMs;
  if (!fresh) {
    mkdirSync(DOCS_ASSETS_DIR, { recursive: true });
    copyFileSync(source, SCALAR_TARGET);
  }
  return SCALAR_TARGET;
}

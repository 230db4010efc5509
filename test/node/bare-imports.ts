// The npm specifiers the Worker and its workerd tests import, for Vite to pre-bundle before the workers tests start.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A statement's `import … from "x"`, `import "x"`, `export … from "x"`, or an `import("x")` call. */
const SPECIFIER =
  /^\s*(?:import\s+|export\s+(?=[\w*{]))(?:[\w*{}\s,$]*?\s*from\s*)?"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm;
/** An npm package name, optionally with a subpath (`@scope/name/sub.js`); not a relative or absolute path. */
const PACKAGE = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w./-]+)?$/;

/** Specifiers that must reach workerd as they are: its built-ins, the runner, and WebAssembly modules. */
function keepsItsOwnForm(specifier: string): boolean {
  return /^(node|cloudflare|workerd):/.test(specifier) || specifier === "vitest" || specifier.endsWith(".wasm");
}

function* typeScriptFiles(dir: string, skip: ReadonlySet<string>): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(path)) yield* typeScriptFiles(path, skip);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      yield path;
    }
  }
}

/**
 * Every package specifier (with its subpath, e.g. `drizzle-orm/sqlite-core`) imported by a `.ts` file under `dirs`,
 * except under `skip` (folders whose code runs in Node, not workerd), sorted and without repeats.
 *
 * Why: the workers pool inlines dependencies, so a fresh workerd would otherwise fetch and evaluate them one module
 * at a time over its WebSocket to Vite — about 1,100 modules for viem, pdf-lib, drizzle, zod and the rest, most of a
 * test file's start-up. Pre-bundled (`deps.optimizer.ssr`), they are a few dozen. Vitest turns the optimizer's own
 * discovery off, so the list is given, and is read from the sources so that it cannot fall behind them. A specifier
 * missing here still works; it is only loaded the slow way.
 */
export function bareImports(dirs: readonly string[], skip: readonly string[] = []): string[] {
  const skipped = new Set(skip);
  const found = new Set<string>();
  for (const dir of dirs) {
    for (const file of typeScriptFiles(dir, skipped)) {
      for (const [, fromStatement, fromCall] of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
        const specifier = fromStatement ?? fromCall ?? "";
        if (PACKAGE.test(specifier) && !keepsItsOwnForm(specifier)) found.add(specifier);
      }
    }
  }
  return [...found].sort();
}

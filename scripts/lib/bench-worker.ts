// A throwaway Worker for benchmarks: per-run D1/DO state, the deploy bundle frozen (edits in the tree cannot make
// wrangler reload mid-measurement), abuse limits lifted (all load comes from 127.0.0.1); removed on exit.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { ROOT, supervise, type ProcessGroup } from "./processes.ts";
import { applyLocalMigrations, buildWorker, ensureDevVars, startWorker } from "./worker.ts";

export const BENCH_DIR = join(ROOT, ".bench");

/** Lifts the per-client and identity abuse limits; AUTH_LIMIT_MULTIPLIER is ignored when ENVIRONMENT=production. */
const UNLIMITED = { RATE_LIMIT_PER_MINUTE: "1000000000", AUTH_LIMIT_MULTIPLIER: "1000000000" };

/** Starts a benchmark Worker in `group` with its own state directory; resolves to its base URL. */
export async function startBenchWorker(
  group: ProcessGroup,
  name: string,
  vars: Record<string, string> = {},
  options: { inspectorPort?: number } = {},
): Promise<string> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const runDir = mkdtempSync(join(BENCH_DIR, `${name}-`));
  // Runs after supervise() has stopped wrangler, so nothing still writes there.
  process.on("exit", () => rmSync(runDir, { recursive: true, force: true }));
  ensureDevVars();
  const stateDir = join(runDir, "state");
  mkdirSync(stateDir);
  await applyLocalMigrations({ persistTo: stateDir, quiet: true });
  const script = await buildWorker(join(runDir, "build"));
  return startWorker(group, {
    port: await freePort(),
    inspectorPort: options.inspectorPort ?? (await freePort()),
    persistTo: stateDir,
    script,
    quiet: true,
    logLevel: "warn",
    vars: { ...UNLIMITED, ...vars },
  });
}

/** Runs a standalone bench against `base` when given, otherwise against a throwaway Worker it starts and stops. */
export async function runAgainstBenchWorker(
  name: string,
  base: string | undefined,
  run: (baseUrl: string) => Promise<void>,
  vars: Record<string, string> = {},
): Promise<void> {
  if (base) return run(base);
  await supervise(async (group) => {
    await run(await startBenchWorker(group, name, vars));
  });
}

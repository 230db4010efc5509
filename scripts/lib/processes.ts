// Child-process supervision for the local scripts (dev, bench): prefixed output, one-shot commands, and a
// group of long-running processes that stops as a whole on Ctrl-C, SIGTERM, or when any member dies.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = `${ROOT}node_modules/.bin`;

/**
 * Environment for every child: our Node 24 and local binaries first, no prompts, and no network calls of
 * wrangler's own (usage metrics; the `Request.cf` sample miniflare would download from workers.cloudflare.com).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH ?? ""}`,
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...extra,
  };
}

const COLORS = [36, 35, 33, 32, 34];
let nextColor = 0;

function prefixer(name: string): (line: string) => void {
  const color = COLORS[nextColor++ % COLORS.length];
  const label = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m` : `[${name}]`;
  return (line) => process.stdout.write(`${label} ${line}\n`);
}

function forwardOutput(child: ChildProcess, name: string, quiet: boolean): void {
  const print = prefixer(name);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on("line", (line) => {
      if (!quiet && line.trim() !== "") print(line);
    });
  }
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Swallow the command's output (it is still shown if the command fails). */
  quiet?: boolean;
}

/** Runs a command to completion with stdin closed (so nothing can prompt); rejects on a non-zero exit. */
export async function run(name: string, command: string, args: string[], options: RunOptions = {}): Promise<void> {
  const child = spawn(command, args, { cwd: ROOT, env: childEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
  const captured: string[] = [];
  if (options.quiet) {
    child.stdout.on("data", (chunk: Buffer) => captured.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => captured.push(chunk.toString()));
  }
  forwardOutput(child, name, options.quiet ?? false);
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) {
    if (options.quiet) process.stdout.write(captured.join(""));
    throw new Error(`${name}: \`${command} ${args.join(" ")}\` exited with ${code}`);
  }
}

export interface Managed {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process and its pipes have closed. */
  exited: Promise<number | string>;
}

/**
 * Long-running processes that live and die together. Each child runs in its own process group so that
 * stopping it also stops what it spawned (wrangler starts workerd), and the terminal's Ctrl-C reaches only
 * this script, which then shuts the children down in order.
 */
export class ProcessGroup {
  readonly members: Managed[] = [];
  private stopping = false;
  private readonly failure: Promise<Managed>;
  private reportFailure: (member: Managed) => void = () => {};

  constructor() {
    this.failure = new Promise((resolve) => (this.reportFailure = resolve));
  }

  start(name: string, command: string, args: string[], options: RunOptions = {}): Managed {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    forwardOutput(child, name, options.quiet ?? false);
    const exited = new Promise<number | string>((resolve) => {
      child.on("error", (err) => {
        process.stderr.write(`[${name}] failed to start: ${err.message}\n`);
        resolve("spawn-error");
      });
      child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    });
    const member: Managed = { name, child, exited };
    this.members.push(member);
    void exited.then((how) => {
      if (this.stopping) return;
      process.stderr.write(`[${name}] exited unexpectedly (${how})\n`);
      this.reportFailure(member);
    });
    return member;
  }

  /** Resolves when any member dies without being asked to. */
  get firstFailure(): Promise<Managed> {
    return this.failure;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Stops members in reverse start order: SIGTERM to the whole group, SIGKILL after a grace period. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    for (const member of [...this.members].reverse()) await stopMember(member, graceMs);
  }
}

async function stopMember(member: Managed, graceMs: number): Promise<void> {
  const pid = member.child.pid;
  if (pid === undefined) return;
  signalGroup(pid, "SIGTERM");
  const done = await Promise.race([member.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    process.stderr.write(`[${member.name}] did not stop within ${graceMs} ms; killing it\n`);
    signalGroup(pid, "SIGKILL");
    await member.exited;
  }
  // The leader may exit before its own children (workerd under wrangler); make sure none outlive it.
  await sleep(100);
  signalGroup(pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs `main` with the group, stopping everything on SIGINT/SIGTERM, when a member dies, or when `main`
 * throws or returns. Exits the process with 0 on a requested stop or normal return, 1 otherwise.
 */
export async function supervise(main: (group: ProcessGroup) => Promise<"keep-running" | void>): Promise<never> {
  const group = new ProcessGroup();
  let exitCode = 0;
  const signalled = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(signal, () => {
        if (!group.isStopping) process.stdout.write(`\n${signal}: stopping…\n`);
        resolve();
      });
    }
    // `kill <npm pid>` takes down npm's shell but not this script; being re-parented means nobody is
    // left to stop us, so stop ourselves rather than leave the children running.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) {
        process.stdout.write("\nparent process gone: stopping…\n");
        resolve();
      }
    }, 500).unref();
  });
  const failed = group.firstFailure.then(() => {
    exitCode = 1;
  });
  try {
    const outcome = await Promise.race([
      main(group),
      signalled.then(() => "stop" as const),
      failed.then(() => "stop" as const),
    ]);
    if (outcome === "keep-running") await Promise.race([signalled, failed]);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    exitCode = 1;
  }
  await group.stop();
  process.exit(exitCode);
}

/** Polls `check` until it returns true; gives up after `timeoutMs` or as soon as a member of `group` dies. */
export async function waitUntil(
  label: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; group?: ProcessGroup },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let dead = false;
  void options.group?.firstFailure.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`gave up waiting for ${label}: a process died`);
    if (await check()) return;
    await sleep(options.intervalMs ?? 200);
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${label}`);
}

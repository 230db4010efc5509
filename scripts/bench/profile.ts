// `npm run bench:profile -- [--only a,b] [--duration s] [--connections n]`: V8 CPU profiles of the Worker under
// each bench scenario's load, taken through workerd's inspector (`wrangler dev --inspector-port`, Chrome DevTools
// Protocol: Profiler.start/stop), reduced to the top self-time functions and the top inclusive frames of Escra's
// own code. Absolute wall times on a shared machine are noise; where the CPU goes is not. Each profile is also
// written to .bench/profile-<scenario>.cpuprofile (open it in Chrome DevTools).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localAnchorNetworks, startAnvil } from "../lib/anvil.ts";
import { ensureDocsAssets } from "../lib/docs-assets.ts";
import { BENCH_DIR, startBenchWorker } from "../lib/bench-worker.ts";
import { freePort } from "../lib/ports.ts";
import { supervise } from "../lib/processes.ts";
import { measure, settle } from "./load.ts";
import { scenarios } from "./scenarios.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "32" },
    only: { type: "string" },
    top: { type: "string", default: "15" },
  },
});
const only = args.only?.split(",").map((s) => s.trim());
const selected = scenarios.filter((s) => !s.bare && (only ? only.includes(s.name) : !s.extra));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
class Inspector {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
      const waiting = msg.id === undefined ? undefined : this.#pending.get(msg.id);
      if (!waiting) return;
      this.#pending.delete(msg.id!);
      if (msg.error) waiting.reject(new Error(JSON.stringify(msg.error)));
      else waiting.resolve(msg.result);
    });
  }
  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      webSocketDebuggerUrl: string;
      title?: string;
    }[];
    // wrangler's proxy lists the user Worker first; skip the internal ones if present.
    const target = targets.find((t) => !/internal|proxy/i.test(t.title ?? "")) ?? targets[0];
    if (!target) throw new Error(`no inspector target on port ${port}`);
    // The inspector proxy (miniflare) refuses upgrades without an allowed Origin; Node's WebSocket (undici) takes
    // extra headers as its second argument.
    const init = { headers: { origin: "http://127.0.0.1" } } as unknown as string[];
    const ws = new WebSocket(target.webSocketDebuggerUrl, init);
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", () => reject(new Error("inspector WebSocket failed")), { once: true });
    });
    return new Inspector(ws);
  }
  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) =>
      this.#pending.set(id, { resolve: resolve as (r: unknown) => void, reject }),
    );
  }
  close() {
    this.#ws.close();
  }
}

/** Self and inclusive sample time per function (name + location), in ms, sorted by self time. */
export function summarise(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const key = (n: ProfileNode) => {
    const file = n.callFrame.url.split("/").pop() ?? "";
    return `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
  };
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, t] of self) {
    const node = byId.get(id)!;
    total += t;
    if (node.callFrame.functionName === "(idle)") idle += t;
    selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + t);
    // Inclusive: count each distinct function once per sample stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + t);
    }
  }
  const sort = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, idleMs: idle, self: sort(selfBy), inclusive: sort(totalBy) };
}

await supervise(async (group) => {
  ensureDocsAssets();
  const anvilUrl = await startAnvil(group, { port: await freePort(), quiet: true });
  const inspectorPort = await freePort();
  const baseUrl = await startBenchWorker(
    group,
    "profile",
    { ANCHOR_NETWORKS: localAnchorNetworks(anvilUrl) },
    { inspectorPort },
  );
  const inspector = await Inspector.connect(inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 200 });
  const top = Number(args.top);
  const out: string[] = [];
  for (const scenario of selected) {
    const prepared = (await scenario.setup?.({ baseUrl })) ?? {};
    const run = scenario.runs?.[0]?.connections;
    const connections = typeof run === "number" ? run : Number(args.connections);
    await measure(baseUrl, scenario, prepared, { durationSeconds: 2, connections });
    await settle(baseUrl);
    await inspector.send("Profiler.start");
    const m = await measure(baseUrl, scenario, prepared, { durationSeconds: Number(args.duration), connections });
    const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop");
    await settle(baseUrl);
    writeFileSync(join(BENCH_DIR, `profile-${scenario.name}.cpuprofile`), JSON.stringify(profile));
    const s = summarise(profile);
    const busy = s.totalMs - s.idleMs;
    const perRequest = busy / Math.max(1, m.requests);
    const pct = (t: number) => `${((100 * t) / Math.max(1, busy)).toFixed(1)}%`;
    out.push(
      `## ${scenario.name} (c=${connections}): ${m.requests} requests, ${(busy / 1000).toFixed(1)} s busy CPU in the isolate ` +
        `= ${perRequest.toFixed(2)} ms per request`,
      "self time:",
      ...s.self
        .filter(([k]) => !k.startsWith("(idle)"))
        .slice(0, top)
        .map(([k, t]) => `  ${pct(t).padStart(6)}  ${k}`),
      "inclusive (Escra code and libraries):",
      ...s.inclusive
        .filter(([k]) => !/^\((root|program|idle|garbage collector)\)/.test(k))
        .slice(0, top)
        .map(([k, t]) => `  ${pct(t).padStart(6)}  ${k}`),
      "",
    );
    console.log(out.slice(-2 * top - 4).join("\n"));
  }
  inspector.close();
  const file = join(BENCH_DIR, `profile-${new Date().toISOString().replace(/[:.]/g, "-")}.txt`);
  writeFileSync(file, out.join("\n"));
  console.log(`[profile] summary: ${file}`);
});

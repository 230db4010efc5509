// WebSocket fan-out bench: N authenticated live sockets, then repeated state changes; for each one, the time
// from triggering it to the LAST socket receiving its event (p50/p99), plus every single delivery's latency.
//
// Standalone:  node scripts/bench-ws.ts [--base http://127.0.0.1:8787] [--n 100,1000] [--rounds 20] [--via feeds|queue]
//   Without --base it starts its own `wrangler dev` with throwaway state (like `npm run bench`).
// From scripts/bench.ts, once its Worker is up:
//   import { formatFanout, runWsBench } from "./bench-ws.ts";
//   console.log(formatFanout(await runWsBench({ baseUrl })));
// Any room: measureFanout({ name, sockets: [{ url, token }…], trigger }) — e.g. a contract room's
//   ws://…/api/v1/contracts/<id>/live with its parties' tokens (≤ 5 sockets each) and a trigger that changes it.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runAgainstBenchWorker } from "./lib/bench-worker.ts";

/** The live protocol's per-user limit in one room (API.md): N sockets need ⌈N/5⌉ users. */
const SOCKETS_PER_USER = 5;

export interface SocketSpec {
  /** ws:// or wss:// URL of a live endpoint. */
  url: string;
  /** Access JWT sent in the first `auth` message. */
  token: string;
}

export interface FanoutTarget {
  name: string;
  sockets: SocketSpec[];
  /** Causes one state change every socket should hear about. */
  trigger: (round: number) => Promise<void>;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface FanoutResult {
  name: string;
  sockets: number;
  rounds: number;
  /** Opening and authenticating every socket. */
  connectSeconds: number;
  /** Per round: trigger → the last socket's receipt (ms). */
  lastSocket: Percentiles;
  /** Every socket's receipt in every round (ms). */
  everySocket: Percentiles;
  /** Deliveries that did not arrive within the timeout. */
  lost: number;
  /** Sockets the server closed during the rounds, by close code (e.g. a `wrangler dev` reload drops them all). */
  closedByServer: Record<number, number>;
}

export interface FanoutOptions {
  rounds?: number;
  /** Unmeasured rounds first (connection and isolate warm-up). */
  warmupRounds?: number;
  timeoutMs?: number;
}

/** Opens every socket, runs the rounds, closes everything. */
export async function measureFanout(target: FanoutTarget, options: FanoutOptions = {}): Promise<FanoutResult> {
  const rounds = options.rounds ?? 20;
  const warmupRounds = options.warmupRounds ?? 2;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const connectStart = performance.now();
  const sockets = await mapLimit(target.sockets, 50, (spec) => LiveSocket.open(spec, timeoutMs));
  const connectSeconds = (performance.now() - connectStart) / 1000;

  const last: number[] = [];
  const every: number[] = [];
  let lost = 0;
  try {
    for (let round = -warmupRounds; round < rounds; round++) {
      const arrivals = sockets.map((s) => s.nextEvent(timeoutMs));
      const started = performance.now();
      await target.trigger(round);
      const times = await Promise.all(arrivals);
      if (round < 0) continue;
      const received = times.filter((t): t is number => t !== null).map((t) => t - started);
      lost += times.length - received.length;
      every.push(...received);
      if (received.length > 0) last.push(Math.max(...received));
    }
  } finally {
    for (const s of sockets) s.close();
  }
  return {
    name: target.name,
    sockets: sockets.length,
    rounds,
    connectSeconds,
    lastSocket: percentiles(last),
    everySocket: percentiles(every),
    lost,
    closedByServer: sockets.reduce<Record<number, number>>((acc, s) => {
      if (s.closeCode !== null) acc[s.closeCode] = (acc[s.closeCode] ?? 0) + 1;
      return acc;
    }, {}),
  };
}

/** One authenticated socket that reports when the next event (a message with a higher `seq`) arrives. */
class LiveSocket {
  private lastSeq = 0;
  private waiter: { resolve: (at: number | null) => void; timer: ReturnType<typeof setTimeout> } | null = null;

  private readonly ws: WebSocket;
  private closing = false;
  closeCode: number | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("close", (e) => {
      if (!this.closing) this.closeCode = e.code;
    });
    ws.addEventListener("message", (e) => {
      const message = JSON.parse(String(e.data)) as { seq?: number };
      if (typeof message.seq !== "number" || message.seq <= this.lastSeq) return;
      this.lastSeq = message.seq;
      const waiter = this.waiter;
      if (!waiter) return;
      this.waiter = null;
      clearTimeout(waiter.timer);
      waiter.resolve(performance.now());
    });
  }

  static open(spec: SocketSpec, timeoutMs: number): Promise<LiveSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(spec.url);
      const timer = setTimeout(
        () => reject(new Error(`no auth:success from ${spec.url} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "auth", payload: { token: spec.token } })));
      ws.addEventListener("close", (e) => reject(new Error(`socket closed during auth: ${e.code} ${e.reason}`)));
      const onFirst = (e: MessageEvent) => {
        ws.removeEventListener("message", onFirst);
        clearTimeout(timer);
        const message = JSON.parse(String(e.data)) as { type: string };
        if (message.type === "auth:success") resolve(new LiveSocket(ws));
        else reject(new Error(`expected auth:success, got ${message.type}`));
      };
      ws.addEventListener("message", onFirst);
    });
  }

  /** performance.now() when the next event arrives, or null after `timeoutMs`. */
  nextEvent(timeoutMs: number): Promise<number | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = { resolve, timer };
    });
  }

  close() {
    this.closing = true;
    this.ws.close(1000, "bench done");
  }
}

/**
 * What is measurable before a room has actions and parties: the personal feeds. N sockets are spread over ⌈N/5⌉
 * users (5 each, the protocol's limit), and one event whose audience is all of them is published per round —
 * `via: "feeds"` straight to the feeds (the live fan-out alone), `via: "queue"` through EVENTS and its consumer
 * (adds the queue's batching delay, up to max_batch_timeout = 1 s locally).
 */
export async function feedFanoutTarget(baseUrl: string, n: number, via: "feeds" | "queue"): Promise<FanoutTarget> {
  const userCount = Math.ceil(n / SOCKETS_PER_USER);
  const users = await mapLimit(
    Array.from({ length: userCount }, (_, i) => i),
    8,
    (i) => withRetries(() => createBenchUser(baseUrl, i)),
  );
  const wsBase = baseUrl.replace(/^http/, "ws");
  const sockets = Array.from({ length: n }, (_, i) => {
    const user = users[Math.floor(i / SOCKETS_PER_USER)]!;
    return { url: `${wsBase}/api/v1/live?userId=${user.id}`, token: user.accessToken };
  });
  const audience = users.map((u) => u.id);
  return {
    name: `feeds (${userCount} users × ≤${SOCKETS_PER_USER}), via ${via}`,
    sockets,
    trigger: async (round) => {
      const contractId = "ctr_BenchWs0000000000000";
      await api(baseUrl, "POST", "/api/v1/dev/events", {
        type: "contract.updated",
        data: { contractId, status: "draft", title: `round ${round}` },
        subject: { type: "contract", id: contractId },
        audience,
        via,
      });
    },
  };
}

/** Runs the feed fan-out for each size; what `npm run bench` calls. */
export async function runWsBench(options: {
  baseUrl: string;
  sizes?: number[];
  rounds?: number;
  via?: "feeds" | "queue";
}): Promise<FanoutResult[]> {
  const results: FanoutResult[] = [];
  for (const n of options.sizes ?? [100, 1_000]) {
    const target = await feedFanoutTarget(options.baseUrl, n, options.via ?? "feeds");
    results.push(await measureFanout(target, { rounds: options.rounds ?? 20 }));
  }
  return results;
}

export function formatFanout(results: FanoutResult[]): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const rows = [
    [
      "target",
      "sockets",
      "rounds",
      "connect",
      "last p50",
      "last p99",
      "last max",
      "each p50",
      "each p99",
      "lost",
      "closed",
    ],
    ...results.map((r) => [
      r.name,
      String(r.sockets),
      String(r.rounds),
      `${r.connectSeconds.toFixed(1)} s`,
      ms(r.lastSocket.p50),
      ms(r.lastSocket.p99),
      ms(r.lastSocket.max),
      ms(r.everySocket.p50),
      ms(r.everySocket.p99),
      String(r.lost),
      Object.entries(r.closedByServer)
        .map(([code, count]) => `${count}×${code}`)
        .join(" ") || "0",
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row) =>
      row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join("  "),
    )
    .join("\n");
}

export interface BenchUser {
  id: string;
  accessToken: string;
}

/** A user made the way a client would: register, read the code from the dev mailbox, verify, log in. */
export async function createBenchUser(baseUrl: string, i: number): Promise<BenchUser> {
  const email = `bench-ws-${crypto.randomUUID().slice(0, 8)}-${i}@example.com`;
  const password = `bench-${crypto.randomUUID()}`;
  // A distinct client address per user keeps per-IP abuse limits out of the measurement's setup.
  const headers = { "cf-connecting-ip": `10.77.${(i >> 8) & 255}.${i & 255}` };
  await api(baseUrl, "POST", "/api/v1/auth/register", { email, password, name: `Bench ${i}` }, headers);
  let code: string | undefined;
  for (let attempt = 0; attempt < 50 && !code; attempt++) {
    const mail = await api<{ text: string }[]>(
      baseUrl,
      "GET",
      `/api/v1/dev/mailbox?to=${encodeURIComponent(email)}`,
      undefined,
      headers,
    );
    code = mail.map((m) => /\b(\d{6})\b/.exec(m.text)?.[1]).find(Boolean);
    if (!code) await new Promise((r) => setTimeout(r, 200));
  }
  if (!code) throw new Error(`no verification email for ${email} (is ENVIRONMENT=development?)`);
  await api(baseUrl, "POST", "/api/v1/auth/verify-email", { email, code }, headers);
  const login = await api<{ accessToken: string; user: { id: string } }>(
    baseUrl,
    "POST",
    "/api/v1/auth/login",
    { email, password },
    headers,
  );
  return { id: login.user.id, accessToken: login.accessToken };
}

/** `wrangler dev` restarts its Worker when a source file changes, dropping requests in flight: start over. */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 1_000 * attempt));
    }
  }
}

export async function api<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const envelope = (await res.json()) as { success: boolean; data: T; error?: { code: string; message: string } };
  if (!res.ok || !envelope.success)
    throw new Error(`${method} ${path} → ${res.status} ${envelope.error?.code ?? ""} ${envelope.error?.message ?? ""}`);
  return envelope.data;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p99: at(99), max: sorted.at(-1) ?? Number.NaN };
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({
    options: {
      base: { type: "string" },
      n: { type: "string", default: "100,1000" },
      rounds: { type: "string", default: "20" },
      via: { type: "string", default: "feeds" },
    },
  });
  const via = args.via === "queue" ? "queue" : "feeds";
  const sizes = args.n.split(",").map((s) => Number(s.trim()));
  const run = async (baseUrl: string) => {
    console.log(`[bench-ws] ${baseUrl}: sizes ${sizes.join(", ")}, ${args.rounds} rounds, via ${via}`);
    const results = await runWsBench({ baseUrl, sizes, rounds: Number(args.rounds), via });
    console.log(`\n${formatFanout(results)}\n`);
  };
  await runAgainstBenchWorker("ws-run", args.base, run);
}

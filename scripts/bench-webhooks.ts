// Webhook fan-out bench: E endpoints (default 10) of one user, N events (default 200) published through EVENTS;
// measures events/s fully delivered (every endpoint answered 2xx) and publish → last endpoint receipt (p50/p99).
// The receiver is a Node HTTP server in this process; a sample of deliveries is verified with standardwebhooks.
//
// Standalone:  node scripts/bench-webhooks.ts [--base http://127.0.0.1:8787] [--endpoints 10] [--events 200]
//   Without --base it starts its own `wrangler dev` with throwaway state (like `npm run bench`); the Worker must
//   allow private webhook URLs (WEBHOOK_ALLOW_PRIVATE_URLS=true, as in wrangler.toml's development vars).
// From scripts/bench.ts:  console.log(formatWebhookBench(await runWebhookBench({ baseUrl })));
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { runAgainstBenchWorker } from "./lib/bench-worker.ts";

export interface WebhookBenchOptions {
  baseUrl: string;
  endpoints?: number;
  events?: number;
  /** Events published at once. */
  concurrency?: number;
  timeoutMs?: number;
}

export interface WebhookBenchResult {
  endpoints: number;
  events: number;
  /** Events whose every endpoint got them, per second, from the first publish to the last receipt. */
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  /** Publish → the last endpoint's receipt, per event (ms). */
  lastEndpoint: { p50: number; p99: number; max: number };
  /** Deliveries that never arrived before the timeout. */
  lost: number;
  /** Sampled deliveries whose signature did not verify. */
  badSignatures: number;
}

export async function runWebhookBench(options: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const endpointCount = options.endpoints ?? 10;
  const eventCount = options.events ?? 200;
  const concurrency = options.concurrency ?? 20;
  const expected = endpointCount * eventCount;

  // Receipts per event (keyed by the contract id each event carries), and each event's last receipt time.
  const receipts = new Map<string, number>();
  const lastAt = new Map<string, number>();
  const secrets = new Map<string, string>();
  const sampled: { path: string; body: string; headers: Record<string, string> }[] = [];
  let received = 0;
  let allIn: () => void = () => {};
  const done = new Promise<void>((resolve) => (allIn = resolve));

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      res.writeHead(204, { connection: "close" }).end();
      const key = (JSON.parse(body) as { data: { contractId: string } }).data.contractId;
      receipts.set(key, (receipts.get(key) ?? 0) + 1);
      lastAt.set(key, performance.now());
      if (received % 50 === 0) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
        sampled.push({ path: req.url ?? "", body, headers });
      }
      received += 1;
      if (received >= expected) allIn();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const { token, userId } = await benchUser(options.baseUrl);
    for (let i = 0; i < endpointCount; i++) {
      const ep = await api<{ secret: string }>(
        options.baseUrl,
        "POST",
        "/api/v1/webhook-endpoints",
        { url: `${receiverUrl}/ep-${i}`, events: ["contract.completed"] },
        token,
      );
      secrets.set(`/ep-${i}`, ep.secret);
    }

    const publishedAt = new Map<string, number>();
    const keys = Array.from({ length: eventCount }, (_, i) => `ctr_bench${String(i).padStart(15, "0")}`);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < keys.length) {
          const key = keys[next++]!;
          publishedAt.set(key, performance.now());
          await api(options.baseUrl, "POST", "/api/v1/dev/events", {
            type: "contract.completed",
            data: { contractId: key, status: "completed", title: "Bench" },
            subject: { type: "contract", id: key },
            audience: [userId],
          });
        }
      }),
    );
    await Promise.race([done, new Promise((r) => setTimeout(r, options.timeoutMs ?? 120_000))]);
    const finished = Math.max(...lastAt.values(), started);
    const seconds = (finished - started) / 1000;
    const complete = keys.filter((k) => (receipts.get(k) ?? 0) >= endpointCount);
    const latencies = complete.map((k) => lastAt.get(k)! - publishedAt.get(k)!);
    let badSignatures = 0;
    for (const s of sampled) {
      try {
        new Webhook(secrets.get(s.path)!).verify(s.body, s.headers);
      } catch {
        badSignatures += 1;
      }
    }
    return {
      endpoints: endpointCount,
      events: eventCount,
      eventsPerSecond: complete.length / seconds,
      deliveriesPerSecond: received / seconds,
      lastEndpoint: percentiles(latencies),
      lost: Math.max(0, expected - received),
      badSignatures,
    };
  } finally {
    server.close();
  }
}

export function formatWebhookBench(r: WebhookBenchResult): string {
  return [
    `Webhook fan-out: ${r.events} events × ${r.endpoints} endpoints (queue → fan-out → signed POST to a loopback receiver)`,
    `  ${r.eventsPerSecond.toFixed(1)} events/s fully delivered, ${r.deliveriesPerSecond.toFixed(1)} deliveries/s`,
    `  publish → last endpoint: p50 ${r.lastEndpoint.p50.toFixed(0)} ms, p99 ${r.lastEndpoint.p99.toFixed(0)} ms, max ${r.lastEndpoint.max.toFixed(0)} ms`,
    `  lost ${r.lost}, sampled signatures failing standardwebhooks: ${r.badSignatures}`,
  ].join("\n");
}

/** Registers and logs in a throwaway account (login needs no verified email). */
async function benchUser(baseUrl: string): Promise<{ token: string; userId: string }> {
  const account = {
    email: `bench-wh-${crypto.randomUUID().slice(0, 8)}@example.com`,
    password: `bench-${crypto.randomUUID()}`,
  };
  await api(baseUrl, "POST", "/api/v1/auth/register", { ...account, name: "Bench" });
  const login = await api<{ accessToken: string; user: { id: string } }>(
    baseUrl,
    "POST",
    "/api/v1/auth/login",
    account,
  );
  return { token: login.accessToken, userId: login.user.id };
}

async function api<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const envelope = (await res.json()) as { success: boolean; data: T; error?: { code: string; message: string } };
  if (!res.ok || !envelope.success)
    throw new Error(`${method} ${path} → ${res.status} ${envelope.error?.code ?? ""} ${envelope.error?.message ?? ""}`);
  return envelope.data;
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p99: at(99), max: sorted.at(-1) ?? Number.NaN };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({
    options: {
      base: { type: "string" },
      endpoints: { type: "string", default: "10" },
      events: { type: "string", default: "200" },
    },
  });
  const run = async (baseUrl: string) => {
    const result = await runWebhookBench({ baseUrl, endpoints: Number(args.endpoints), events: Number(args.events) });
    console.log(`\n${formatWebhookBench(result)}\n`);
  };
  await runAgainstBenchWorker("webhooks-run", args.base, run, { WEBHOOK_ALLOW_PRIVATE_URLS: "true" });
}

// A real HTTP receiver for partner webhook deliveries, one per vitest run on a free 127.0.0.1 port (started by
// vitest.config.ts, which hands its URL to the tests as WEBHOOK_RECEIVER_URL). Tests inside workerd script its
// answers and read what it received over loopback:
//   POST /__script/<box>  { statuses: [500, 500, 200], retryAfter?: "7", delayMs?: 0 }  — answers in order, then 200
//   GET  /__requests/<box> → [{ headers, body, status, at }]                               — what <box> received
//   any other POST /<box>  → a delivery, recorded and answered per the script
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

interface Script {
  statuses: number[];
  retryAfter?: string;
  delayMs?: number;
}
interface Received {
  headers: Record<string, string>;
  body: string;
  status: number;
  at: string;
}

export async function startWebhookReceiver(): Promise<string> {
  const scripts = new Map<string, Script>();
  const received = new Map<string, Received[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // No keep-alive: workerd reusing a socket Node already closed shows up as "Network connection lost".
      res.setHeader("connection", "close");
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://receiver");
      const [, first, box = ""] = url.pathname.split("/");
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (first === "__script" && req.method === "POST") {
        scripts.set(box, JSON.parse(body) as Script);
        received.set(box, []);
        return json(200, { ok: true });
      }
      if (first === "__requests") return json(200, received.get(box) ?? []);
      const name = first ?? "";
      const script = scripts.get(name);
      const status = script?.statuses.shift() ?? 200;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const list = received.get(name) ?? [];
      list.push({ headers, body, status, at: new Date().toISOString() });
      received.set(name, list);
      const answer = () => {
        const extra: Record<string, string> =
          script?.retryAfter && (status === 429 || status === 503) ? { "retry-after": script.retryAfter } : {};
        res.writeHead(status, { "content-type": "text/plain", ...extra });
        // Longer than the 1 KB snippet the delivery log keeps.
        res.end(`${status === 200 ? "ok" : "nope"} ${"x".repeat(2000)}`);
      };
      if (script?.delayMs) setTimeout(answer, script.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.unref(); // never keep vitest alive
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// What `npm run bench` measures. To benchmark a new endpoint, append an entry here; `setup` runs once against
// the live Worker before the load (create a user, a contract…) and returns what every request should carry.

export interface BenchContext {
  /** e.g. http://127.0.0.1:41234 — the Worker under `wrangler dev`. */
  baseUrl: string;
}

export interface PreparedRequest {
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface Scenario {
  /** Short unique name; used by `npm run bench -- --only <name>`. */
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  /** Every response must have this status (default 200); others are counted as errors. */
  expectStatus?: number;
  setup?: (ctx: BenchContext) => Promise<PreparedRequest>;
}

/** The scenario every other one is compared with: the middleware chain and nothing else. */
export const BASELINE = "ping";

export const scenarios: Scenario[] = [
  { name: "ping", method: "GET", path: "/api/v1/ping" },
  // D1 query, R2 head, two queue sends, a Durable Object round trip and an RPC call to Anvil per request.
  { name: "health", method: "GET", path: "/api/v1/health" },
];

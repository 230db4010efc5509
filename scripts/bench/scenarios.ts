// What `npm run bench` measures: the table of issue 18 (each row against the bare reference Worker measured in the
// same run) and the older extra scenarios. To benchmark a new endpoint, append an entry here; `setup` runs once
// against the live Worker before the load (create a user, a contract…) and returns what every request carries.

export interface BenchContext {
  /** e.g. http://127.0.0.1:41234 — the Worker under `wrangler dev`. */
  baseUrl: string;
}

/** One step of a multi-request flow (autocannon's `requests`): the body of each response feeds the next step. */
export interface FlowStep {
  method: "GET" | "POST";
  /** Path of this step; a function builds it from what earlier steps stored in `context`. */
  path: string | ((context: Record<string, unknown>) => string);
  body?: string;
  headers?: Record<string, string>;
  /** Reads the response (status, body) into `context` for later steps. */
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

export interface PreparedRequest {
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** For actions that cannot repeat (signing): called per request; its fields override the ones above. */
  next?: () => Omit<PreparedRequest, "next" | "flow">;
  /** A flow of several requests (create then send); throughput is counted in completed flows. */
  flow?: FlowStep[];
}

/**
 * What a row must reach (issue 18's targets). Throughput rows compare req/s (or flows/s) with the bare Worker's
 * req/s at the same connections; latency rows compare p99 (or p50) at one connection with an absolute bound
 * and/or a multiple of the bare Worker's.
 */
export interface Target {
  minRatio?: number;
  maxP99Ms?: number;
  maxP99Bare?: number;
  maxP50Ms?: number;
  /** p50 bound as a multiple of one password hash at the current parameters (login). */
  maxP50Hash?: number;
  minFlowsPerSecond?: number;
}

/** One measurement of a scenario at a number of connections ("load" = the run's --connections, 32 by default). */
export interface Run {
  connections: number | "load";
  target?: Target;
}

export interface Scenario {
  /** Short unique name; used by `npm run bench -- --only <name>`. */
  name: string;
  /** What the issue's table calls it. */
  label?: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  /** Every response must have this status (default 200); others are counted as errors. */
  expectStatus?: number;
  /** Served by the bare reference Worker instead of Escra. */
  bare?: true;
  /** Default: one run at the load's connections, no target. */
  runs?: Run[];
  /** Not in issue 18's table: measured only with --all or --only. */
  extra?: true;
  setup?: (ctx: BenchContext) => Promise<PreparedRequest>;
}

/** The scenario every other one is compared with: the bare Hono Worker answering the envelope. */
export const BASELINE = "bare";

const LOAD = "load" as const;

export const scenarios: Scenario[] = [
  // The reference: the same envelope from a Worker with no middleware and no bindings.
  {
    name: "bare",
    label: "bare Hono Worker",
    method: "GET",
    path: "/api/v1/ping",
    bare: true,
    runs: [{ connections: LOAD }, { connections: 1 }],
  },
  // The whole middleware chain and nothing else.
  {
    name: "ping",
    label: "GET /api/v1/ping",
    method: "GET",
    path: "/api/v1/ping",
    runs: [
      { connections: LOAD, target: { minRatio: 0.7 } },
      { connections: 1, target: { maxP99Bare: 1.5 } },
    ],
  },
  // D1 query, R2 head, two queue sends, a Durable Object round trip and an RPC call to Anvil per request.
  {
    name: "health",
    label: "GET /api/v1/health",
    method: "GET",
    path: "/api/v1/health",
    runs: [{ connections: LOAD, target: { minRatio: 0.5 } }],
  },
  // JWT verification + the session state (D1, or the isolate's short-lived cache) + the user.
  {
    name: "auth-me",
    label: "GET /auth/me",
    method: "GET",
    path: "/api/v1/auth/me",
    runs: [
      { connections: LOAD, target: { minRatio: 0.5 } },
      { connections: 1, target: { maxP99Ms: 25 } },
    ],
    setup: async ({ baseUrl }) => ({ headers: { authorization: `Bearer ${await benchToken(baseUrl)}` } }),
  },
  // One contract read from the D1 projection (access check + contract, signers, attachments).
  {
    name: "get-contract",
    label: "GET /contracts/:id",
    method: "GET",
    path: "/api/v1/contracts",
    runs: [
      { connections: LOAD, target: { minRatio: 0.5 } },
      { connections: 1, target: { maxP99Ms: 25 } },
    ],
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      const [id] = await benchContracts(baseUrl, token, 1);
      return { path: `/api/v1/contracts/${id}`, headers: { authorization: `Bearer ${token}` } };
    },
  },
  // One page of 20 out of 200 visible contracts, filtered by status and tag, plus the visibility filter and count.
  {
    name: "list-contracts",
    label: "GET /contracts?perPage=20 (filters)",
    method: "GET",
    path: "/api/v1/contracts?status=draft&tag=bench&perPage=20",
    runs: [
      { connections: LOAD, target: { minRatio: 0.35 } },
      { connections: 1, target: { maxP99Ms: 40 } },
    ],
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      await benchContracts(baseUrl, token, 200);
      return { headers: { authorization: `Bearer ${token}` } };
    },
  },
  // Before the write rows, whose queue work (events, emails) would still be running. One argon2id verification (m=19 MiB, t=2, p=1) + a D1 batch (session, refresh token, audit) per request.
  {
    name: "login",
    label: "POST /auth/login",
    method: "POST",
    path: "/api/v1/auth/login",
    runs: [{ connections: 8 }, { connections: 1, target: { maxP50Ms: 100, maxP50Hash: 1.3 } }],
    setup: async ({ baseUrl }) => {
      const account = await benchAccount(baseUrl);
      return { headers: { "content-type": "application/json" }, body: JSON.stringify(account) };
    },
  },
  // ContractRoom create: access checks in D1, one DO storage transaction (state, audit, outbox), the D1 projection
  // batch and one EVENTS send before answering.
  {
    name: "create-contract",
    label: "POST /contracts",
    method: "POST",
    path: "/api/v1/contracts",
    expectStatus: 201,
    runs: [
      { connections: LOAD, target: { minRatio: 0.2 } },
      { connections: 1, target: { maxP99Ms: 60 } },
    ],
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      return {
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          title: "Bench supply agreement",
          type: "sale",
          body: "The seller delivers goods.",
          value: { amount: 1_000_00, currency: "NGN" },
          signers: [{ email: "buyer@example.com", name: "Buyer" }],
        }),
      };
    },
  },
  // Documenso's comparison: a draft with one signer created, then sent (frozen PDF, hash, signing link email).
  // Throughput counts completed flows (a 200 on send), the issue's target is 5 x Documenso's 13-15 flows/s.
  {
    name: "create-send",
    label: "create + send (one party), flows/s",
    method: "POST",
    path: "/api/v1/contracts",
    runs: [{ connections: LOAD, target: { minFlowsPerSecond: 5 * 13 } }],
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const run = Math.random().toString(36).slice(2, 8);
      let n = 0;
      return {
        flow: [
          {
            method: "POST",
            path: "/api/v1/contracts",
            headers,
            body: JSON.stringify({
              title: "Bench flow",
              type: "services",
              body: "Bench flow.",
              signers: [{ email: `flow-${run}@bench.example.com`, name: "Flow Signer" }],
            }),
            onResponse: (status, body, context) => {
              context.id =
                status === 201 ? (JSON.parse(body) as { data: { id: string } }).data.id : `ctr_missing${n++}`;
            },
          },
          { method: "POST", path: (context) => `/api/v1/contracts/${String(context.id)}/send`, headers, body: "{}" },
        ],
      };
    },
  },
  // ContractRoom sign by signing token (no account): token HMAC check, a typed signature countersigned with the
  // Ed25519 key, one DO storage transaction (routing rules, audit, outbox), the D1 projection batch and one EVENTS
  // send before answering. A signature cannot repeat, so every request signs as another party: contracts with
  // SIGN_PARTIES parallel signers, tokens read from the dev mailbox. Requests beyond the pool answer 409 (failures).
  {
    name: "sign",
    label: "sign (25 parallel signers)",
    method: "POST",
    path: "/api/v1/contracts",
    runs: [{ connections: LOAD, target: { minRatio: 0.1 } }],
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      const pool = await benchSigningPool(baseUrl, token, Number(process.env.BENCH_SIGN_POOL ?? 500));
      let i = 0;
      return {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ signature: { type: "typed", value: "Bench Signer", font: "caveat" }, consent: true }),
        next: () => {
          const party = pool[i++ % pool.length]!;
          return {
            path: `/api/v1/contracts/${party.contractId}/sign`,
            headers: { "content-type": "application/json", "x-signing-token": party.token },
          };
        },
      };
    },
  },
  // The older scenarios outside issue 18's table (`--all` or `--only`).
  {
    name: "list-contracts-search",
    method: "GET",
    path: "/api/v1/contracts?q=solar&perPage=20",
    extra: true,
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      await benchContracts(baseUrl, token, 200);
      return { headers: { authorization: `Bearer ${token}` } };
    },
  },
  // EscrowRoom create: seller lookup, commission split, the escrow contract generated from the sale-of-goods
  // template and sent (ContractRoom create + send), then the escrow's own storage transaction, projection and event.
  {
    name: "create-escrow",
    method: "POST",
    extra: true,
    path: "/api/v1/escrows",
    expectStatus: 201,
    setup: async ({ baseUrl }) => {
      const token = await benchToken(baseUrl);
      const seller = await benchAccount(baseUrl);
      return {
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          sellerEmail: seller.email,
          amount: 500_000,
          currency: "NGN",
          description: "Bench: Instagram page",
          inspectionPeriodHours: 24,
        }),
      };
    },
  },
  // Paystack webhook: HMAC-SHA512 check of the raw body, the event stored once in D1 (a fresh id per request, so
  // never a replay), and the EscrowRoom round trip (after the first request the escrow is funded and later
  // charges for it are recorded as ignored, which is the same work minus the state change).
  {
    name: "paystack-webhook",
    method: "POST",
    extra: true,
    path: "/api/v1/webhooks/paystack",
    setup: async ({ baseUrl }) => {
      const { createHmac } = await import("node:crypto");
      const { readFileSync } = await import("node:fs");
      const secret = /^PAYSTACK_SECRET_KEY="?([^"\n]+)"?$/m.exec(readFileSync(".dev.vars", "utf8"))?.[1];
      if (!secret) throw new Error("PAYSTACK_SECRET_KEY not found in .dev.vars");
      const token = await benchToken(baseUrl);
      const seller = await benchAccount(baseUrl);
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const created = await benchFetch(`${baseUrl}/api/v1/escrows`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          sellerEmail: seller.email,
          amount: 500_000,
          currency: "NGN",
          description: "Bench webhook",
        }),
      });
      const escrow = ((await created.json()) as { data?: { id: string } }).data;
      if (!escrow) throw new Error(`bench escrow failed: ${created.status}`);
      const funded = await benchFetch(`${baseUrl}/api/v1/escrows/${escrow.id}/fund`, { method: "POST", headers: auth });
      const reference = ((await funded.json()) as { data?: { payment: { reference: string } } }).data?.payment
        .reference;
      if (!reference) throw new Error(`bench fund failed: ${funded.status}`);
      let n = 0;
      return {
        next: () => {
          const body = JSON.stringify({
            event: "charge.success",
            data: { id: `${Date.now()}-${n++}`, status: "success", reference, amount: 500_000, currency: "NGN" },
          });
          return {
            body,
            headers: {
              "content-type": "application/json",
              "x-paystack-signature": createHmac("sha512", secret).update(body).digest("hex"),
            },
          };
        },
      };
    },
  },
];

/**
 * fetch with a deadline: a setup request the loaded Worker never answers fails its scenario (reported as NOT
 * MEASURED) instead of wedging the whole run.
 */
function benchFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(SETUP_REQUEST_TIMEOUT_MS), ...init });
}

const SETUP_REQUEST_TIMEOUT_MS = 30_000;

const SIGN_PARTIES = 25;

/**
 * Sends contracts with SIGN_PARTIES parallel signers each; returns (contract, signing token) for `size` parties.
 * The tokens are issued here exactly as the Worker issues them (src/lib/signing-token.ts: HMAC-SHA256 under a key
 * HKDF-derived from VAULT_KEK in .dev.vars), so the pool does not wait for the signing emails to pass through the
 * JOBS queue — waiting for 1,500 of them is what kept the last runs from finishing.
 */
async function benchSigningPool(
  baseUrl: string,
  token: string,
  size: number,
): Promise<{ contractId: string; token: string }[]> {
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const run = Math.random().toString(36).slice(2, 8);
  const contracts = Math.ceil(size / SIGN_PARTIES);
  const issue = await signingTokenIssuer();
  // A few contracts at a time: setup is not what is measured, but it should not take minutes either.
  const one = async (c: number) => {
    const signers = Array.from({ length: SIGN_PARTIES }, (_, p) => ({
      email: `sign-${run}-${c}-${p}@bench.example.com`,
      name: `Signer ${p}`,
    }));
    const res = await benchFetch(`${baseUrl}/api/v1/contracts`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ title: `Bench signing ${c}`, type: "services", body: "Bench.", signers }),
    });
    const body = (await res.json()) as { data?: { id: string; signers: { id: string }[] } };
    if (!body.data) throw new Error(`bench contract failed: ${res.status} ${JSON.stringify(body)}`);
    const sent = await benchFetch(`${baseUrl}/api/v1/contracts/${body.data.id}/send`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    if (sent.status !== 200) {
      // Under load a send (it renders and freezes a 25-party PDF) can fail; the pool does without that contract.
      console.error(`[bench] sign setup: send failed (${sent.status}), contract skipped: ${await sent.text()}`);
      return [];
    }
    const contractId = body.data.id;
    return body.data.signers.map((s) => ({ contractId, token: issue(contractId, s.id) }));
  };
  const byContract: { contractId: string; token: string }[][] = [];
  for (let c = 0; c < contracts; c += 4) {
    byContract.push(...(await Promise.all(Array.from({ length: Math.min(4, contracts - c) }, (_, i) => one(c + i)))));
  }
  if (byContract.flat().length === 0) throw new Error("bench signing: no contract could be sent");
  // Contract by contract, its 25 signers in a row: 32 connections keep one or two rooms busy with parallel
  // signatures, which is the contention the scenario is about.
  return byContract.flat();
}

/** issueSigningToken (src/lib/signing-token.ts) with node:crypto and the local VAULT_KEK. */
async function signingTokenIssuer(): Promise<(contractId: string, signerId: string) => string> {
  const { createHmac, hkdfSync } = await import("node:crypto");
  const { readFileSync } = await import("node:fs");
  const secret = /^VAULT_KEK="?([^"\n]+)"?$/m.exec(readFileSync(".dev.vars", "utf8"))?.[1];
  if (!secret) throw new Error("VAULT_KEK not found in .dev.vars");
  const kek = Buffer.from(secret.trim(), "base64");
  const key = Buffer.from(hkdfSync("sha256", kek, Buffer.alloc(0), "escra:signing-token:v1", 32));
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return (contractId, signerId) => {
    const body = Buffer.from(JSON.stringify({ contractId, signerId, exp })).toString("base64url");
    return `est1.${body}.${createHmac("sha256", key).update(`est1.${body}`).digest("base64url")}`;
  };
}

async function benchToken(baseUrl: string): Promise<string> {
  const account = await benchAccount(baseUrl);
  const res = await benchFetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  const body = (await res.json()) as { data?: { accessToken: string } };
  if (!body.data) throw new Error(`bench login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.accessToken;
}

/** Creates `n` contracts (every other one mentioning "solar"), eight at a time; returns their ids. */
async function benchContracts(baseUrl: string, token: string, n: number): Promise<string[]> {
  const one = async (i: number) => {
    const res = await benchFetch(`${baseUrl}/api/v1/contracts`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        title: `Bench contract ${i}`,
        type: "services",
        body: i % 2 ? "Installation of solar panels." : "Catering for an event.",
        tags: ["bench"],
      }),
    });
    const body = (await res.json()) as { data?: { id: string } };
    if (!body.data) throw new Error(`bench contract failed: ${res.status} ${JSON.stringify(body)}`);
    return body.data.id;
  };
  const ids: string[] = [];
  for (let i = 0; i < n; i += 8) {
    ids.push(...(await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => one(i + k)))));
  }
  return ids;
}

/** Registers a throwaway account (login does not need a verified email) and returns its credentials. */
async function benchAccount(baseUrl: string): Promise<{ email: string; password: string }> {
  const account = {
    email: `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
    password: "bench password 123",
  };
  const res = await benchFetch(`${baseUrl}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...account, name: "Bench" }),
  });
  if (res.status !== 201) throw new Error(`bench register failed: ${res.status} ${await res.text()}`);
  return account;
}

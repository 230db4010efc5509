// GET /api/v1/health: real probes of every dependency, and what a failing chain RPC does to the status.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { checkHealth } from "../../src/lib/health-checks";
import { pipelineApp, send } from "../lib/pipeline-app";

describe("GET /api/v1/health", () => {
  it("checks every dependency for real and reports healthy with the chain up", async () => {
    const res = await call("GET", "/api/v1/health");
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.status).toBe("healthy");
    for (const name of ["database", "storage", "queue", "durableObjects", "chain"]) {
      expect(res.body.data.services[name].status).toBe("up");
    }
    expect(res.body.metadata.version).toBe("v1");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});

describe("unknown routes", () => {
  it("answer RES001 in the error envelope", async () => {
    const res = await call("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "RES001" } });
  });
});

// Status semantics: `healthy` when every probe answers; `degraded` when only a non-critical part (the chain RPC)
// fails — the API still serves everything except anchoring, so 200; `down` when a critical part (D1, R2, the
// queue producers, the Durable Object round trip) fails — 503, so load balancers and uptime checks take it out.
describe("health when the chain RPC is unreachable", () => {
  const closedPort = JSON.stringify([
    { name: "anvil", chainId: 31337, rpcUrl: "http://127.0.0.1:9/", confirmations: 1 },
  ]);

  it("checkHealth reports degraded: chain down, every critical service up", async () => {
    const health = await checkHealth({ ...env, ANCHOR_NETWORKS: closedPort });
    expect(health.status).toBe("degraded");
    expect(health.services.chain).toMatchObject({ status: "down", critical: false, error: expect.any(String) });
    for (const name of ["database", "storage", "queue", "durableObjects"] as const) {
      expect(health.services[name]).toMatchObject({ status: "up", critical: true });
    }
  });

  it("GET /api/v1/health answers 200 degraded, and treats a wrong chain id as down too", async () => {
    const app = pipelineApp();
    const res = await send(app, "GET", "/api/v1/health", { env: { ANCHOR_NETWORKS: closedPort } });
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe("degraded");
    expect(res.body.data.services.chain.status).toBe("down");

    const wrongChain = JSON.stringify([{ name: "anvil", chainId: 1, rpcUrl: env.ANVIL_RPC_URL, confirmations: 1 }]);
    const mismatch = await send(app, "GET", "/api/v1/health", { env: { ANCHOR_NETWORKS: wrongChain } });
    expect(mismatch.body.data.status).toBe("degraded");
    expect(mismatch.body.data.services.chain.error).toContain("expected 1");
  });
});

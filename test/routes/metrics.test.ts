// Metrics and health (issue 16.4): /metrics parses as Prometheus text and reports what the test caused; who may
// read it; /health/detailed, /readiness and /liveness.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { call, fetchWorker } from "../helpers/http";
import { createUser } from "../helpers/users";
import { LiveClient } from "../durable-objects/live-client";
import { liveUser } from "../durable-objects/live-users";
import { newId } from "../../src/lib/ids";

interface Family {
  name: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}

async function scrape(token = env.METRICS_TOKEN): Promise<Family[]> {
  const res = await fetchWorker("/api/v1/metrics", { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await res.text()) as Family[];
}

function sample(families: Family[], name: string, labels: Record<string, string>) {
  const family = families.find((f) => f.name === name);
  return family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

const value = (families: Family[], name: string, labels: Record<string, string>) =>
  Number(sample(families, name, labels)?.value ?? 0);

// Each test signs several people in (argon2id); under a loaded CI machine that alone nears the 30 s default.
describe("GET /api/v1/metrics", { timeout: 90_000 }, () => {
  it("counts requests by route template and status, with a latency histogram, in Prometheus text format", async () => {
    const liveness = { method: "GET", route: "/api/v1/liveness", status: "200" };
    const before = value(await scrape(), "escra_http_requests_total", liveness);
    for (let i = 0; i < 3; i++) expect((await call("GET", "/api/v1/liveness")).status).toBe(200);
    const user = await createUser();
    const unknown = await call("GET", `/api/v1/contracts/${newId("ctr")}`, { token: user.accessToken });
    expect(unknown.status).toBe(404);

    const after = await scrape();
    expect(value(after, "escra_http_requests_total", liveness)).toBe(before + 3);
    // The template, not the path: every contract id lands in one series.
    expect(
      value(after, "escra_http_requests_total", { route: "/api/v1/contracts/:id", status: "404" }),
    ).toBeGreaterThanOrEqual(1);
    expect(after.find((f) => f.name === "escra_http_request_duration_seconds")?.type).toBe("HISTOGRAM");
    // parse-prometheus-text-format folds a histogram's label sets into one, so its series are read from the text.
    const text = await (
      await fetchWorker("/api/v1/metrics", { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } })
    ).text();
    const series = (suffix: string, extra = "") =>
      Number(
        new RegExp(
          `^escra_http_request_duration_seconds_${suffix}\\{method="GET",route="/api/v1/liveness",status="200"${extra}\\} (\\S+)$`,
          "m",
        ).exec(text)?.[1],
      );
    expect(series("count")).toBe(before + 3);
    expect(series("bucket", ',le="\\+Inf"')).toBe(before + 3);
    expect(series("bucket", ',le="10"')).toBeLessThanOrEqual(before + 3);
    expect(series("sum")).toBeGreaterThanOrEqual(0);
  });

  it("reports dead letters, backlogs, anchoring lag and delivery outcomes from D1", async () => {
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO dead_letters (id, queue, message_id, kind, body, attempts, received_at) VALUES (?, 'jobs', ?, 'email.send', '{}', 6, ?)",
      ).bind(newId("dlq"), newId("msg"), at(0)),
      env.DB.prepare(
        `INSERT INTO anchor_records (id, kind, hash, contract_id, network, chain_id, status, created_at, updated_at)
         VALUES (?, 'document', ?, ?, 'metrics-net', 999001, 'pending', ?, ?)`,
      ).bind(newId("anc"), `0x${"ab".repeat(32)}`, newId("ctr"), at(600_000), at(600_000)),
    ]);
    const families = await scrape();
    expect(value(families, "escra_dead_letters", { queue: "jobs" })).toBeGreaterThanOrEqual(1);
    expect(value(families, "escra_anchor_lag_seconds", { network: "metrics-net" })).toBeGreaterThanOrEqual(600);
    expect(value(families, "escra_queue_backlog", { work: "anchor_records" })).toBeGreaterThanOrEqual(1);
    const ratio = value(families, "escra_webhook_delivery_success_ratio", {});
    expect(ratio).toBeGreaterThanOrEqual(0);
    expect(ratio).toBeLessThanOrEqual(1);
    for (const name of ["escra_webhook_deliveries", "escra_email_deliveries", "escra_live_sockets"]) {
      expect(families.some((f) => f.name === name)).toBe(true);
    }
  });

  it("counts authenticated live sockets per room kind", async () => {
    const user = await liveUser();
    const client = await LiveClient.open(`/api/v1/live?userId=${user.userId}`);
    client.send({ type: "auth", payload: { token: user.accessToken } });
    expect(await client.next()).toMatchObject({ type: "auth:success" });
    // The room reports in the background (waitUntil); poll the scrape instead of sleeping.
    let sockets = 0;
    for (let i = 0; i < 50 && sockets < 1; i++) {
      sockets = value(await scrape(), "escra_live_sockets", { room: "feed" });
      if (sockets < 1) await new Promise((r) => setTimeout(r, 50));
    }
    expect(sockets).toBeGreaterThanOrEqual(1);
    await client.close();
  });

  it("admits the metrics token and admins; refuses everyone else", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser();
    expect(
      (await fetchWorker("/api/v1/metrics", { headers: { authorization: `Bearer ${admin.accessToken}` } })).status,
    ).toBe(200);

    const none = await call("GET", "/api/v1/metrics");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("AUTH004");
    const wrong = await call("GET", "/api/v1/metrics", { token: `${env.METRICS_TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("AUTH004");
    const notAdmin = await call("GET", "/api/v1/metrics", { token: user.accessToken });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.error.code).toBe("AUTH003");

    // An admin's key needs admin:read; the metrics token opens nothing else.
    const mint = async (scopes: string[]) =>
      (await call("POST", "/api/v1/api-keys", { token: admin.accessToken, body: { name: "scraper", scopes } })).body
        .data.secret as string;
    const withAdminRead = await mint(["admin:read"]);
    const withoutAdmin = await mint(["contracts:read"]);
    expect(
      (await fetchWorker("/api/v1/metrics", { headers: { authorization: `Bearer ${withAdminRead}` } })).status,
    ).toBe(200);
    expect((await call("GET", "/api/v1/metrics", { token: withoutAdmin })).body.error.code).toBe("AUTH003");
    const elsewhere = await call("GET", "/api/v1/auth/me", { token: env.METRICS_TOKEN });
    expect(elsewhere.status).toBe(401);
    expect((await call("GET", "/api/v1/health/detailed", { token: env.METRICS_TOKEN })).status).toBe(401);
  });

  it("takes no input: unknown query parameters are ignored and the scrape still succeeds", async () => {
    const res = await fetchWorker("/api/v1/metrics?format=json", {
      headers: { authorization: `Bearer ${env.METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });
});

describe("health probes", { timeout: 90_000 }, () => {
  it("GET /health/detailed gives admins every probe plus backlogs; others are refused", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser();
    const res = await call("GET", "/api/v1/health/detailed", { token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: "healthy",
      environment: "test",
      backlog: { webhookDeliveries: expect.any(Number), emails: expect.any(Number), anchorRecords: expect.any(Number) },
      webhookSuccessRatio: expect.any(Number),
    });
    expect(res.body.data.services.database.status).toBe("up");
    const refused = await call("GET", "/api/v1/health/detailed", { token: user.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("AUTH003");
    expect((await call("GET", "/api/v1/health/detailed")).body.error.code).toBe("AUTH004");
  });

  it("GET /readiness answers ready while D1 answers; GET /liveness touches nothing", async () => {
    const ready = await call("GET", "/api/v1/readiness");
    expect(ready.status).toBe(200);
    expect(ready.body.data).toEqual({ status: "ready", checks: { database: "up" } });
    const alive = await call("GET", "/api/v1/liveness");
    expect(alive.status).toBe(200);
    expect(alive.body.data).toEqual({ status: "alive", checks: {} });
  });
});

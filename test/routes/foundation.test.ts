// The request pipeline as a client sees it: envelopes and error codes, request ids, security headers, CORS,
// rate-limit headers on every /api/v1 response, and that bad requests leave no trace.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { freshIp, pipelineApp, send, tableCounts } from "../lib/pipeline-app";

const MAX = Number(env.MAX_BODY_BYTES);

function expectErrorEnvelope(res: { body: any; headers: Headers }, code: string) {
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String) } });
  expect(res.body.metadata).toMatchObject({ version: "v1", requestId: res.headers.get("x-request-id") });
  expect(Date.parse(res.body.metadata.timestamp)).not.toBeNaN();
}

function expectRateLimitHeaders(headers: Headers) {
  expect(headers.get("x-ratelimit-limit")).toBe(env.RATE_LIMIT_PER_MINUTE);
  expect(Number(headers.get("x-ratelimit-remaining"))).toBeGreaterThanOrEqual(0);
  const reset = Number(headers.get("x-ratelimit-reset"));
  const now = Date.now() / 1000;
  expect(reset).toBeGreaterThan(now - 1);
  expect(reset).toBeLessThanOrEqual(now + 61);
}

describe("error envelopes of the foundation", () => {
  it("answers an unknown route with 404 RES001", async () => {
    const res = await call("GET", "/api/v1/no-such-thing");
    expect(res.status).toBe(404);
    expectErrorEnvelope(res, "RES001");
  });

  it("answers a zod validation failure with 400 VAL001 and details[{path,message}]", async () => {
    const res = await call("POST", "/api/v1/dev/echo", { body: { message: "", delayMs: "soon" } });
    expect(res.status).toBe(400);
    expectErrorEnvelope(res, "VAL001");
    const paths = res.body.error!.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(["delayMs", "message"]);
    for (const detail of res.body.error!.details) expect(detail.message).toEqual(expect.any(String));
  });

  it("answers malformed JSON with 400 VAL001", async () => {
    const res = await call("POST", "/api/v1/dev/echo", {
      raw: '{"message": "unterminated',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expectErrorEnvelope(res, "VAL001");
  });

  it("answers a body over MAX_BODY_BYTES with 413 VAL003, declared or streamed", async () => {
    const big = JSON.stringify({ message: "x".repeat(MAX + 10) });
    const declared = await call("POST", "/api/v1/dev/echo", {
      raw: big,
      headers: { "content-type": "application/json" },
    });
    expect(declared.status).toBe(413);
    expectErrorEnvelope(declared, "VAL003");

    // Without Content-Length the limit is enforced while the body streams in.
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await call("POST", "/api/v1/dev/echo", {
      raw: stream,
      headers: { "content-type": "application/json" },
    });
    expect(streamed.status).toBe(413);
    expectErrorEnvelope(streamed, "VAL003");
  });

  it("answers a wrong content type with 415 VAL004", async () => {
    const res = await call("POST", "/api/v1/dev/echo", {
      raw: "message=hi",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expectErrorEnvelope(res, "VAL004");
  });

  it("accepts a valid request on the same route (the errors above are about the request, not the route)", async () => {
    const res = await call("POST", "/api/v1/dev/echo", { body: { message: "hello" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ success: true, data: { message: "hello" } });
  });
});

describe("request ids", () => {
  it("honours a sane X-Request-Id and echoes it in header and metadata", async () => {
    const res = await call("GET", "/api/v1/no-such-thing", { headers: { "x-request-id": "client-trace-12345" } });
    expect(res.headers.get("x-request-id")).toBe("client-trace-12345");
    expect(res.body.metadata.requestId).toBe("client-trace-12345");
  });

  it("generates one when absent or unsafe", async () => {
    const generated = await call("GET", "/api/v1/health");
    expect(generated.headers.get("x-request-id")).toMatch(/^req_[0-9A-Za-z]{20}$/);
    const unsafe = await call("GET", "/api/v1/health", { headers: { "x-request-id": "<script>alert(1)</script>" } });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(unsafe.body.metadata.requestId).toBe(unsafe.headers.get("x-request-id"));
  });
});

describe("security headers", () => {
  it("are on API responses, errors included", async () => {
    for (const res of [await call("GET", "/api/v1/health"), await call("GET", "/api/v1/nope")]) {
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d{7,}/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
  });

  it("give the docs page its own CSP that still forbids framing", async () => {
    const res = await fetchWorker("/docs");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("CORS from ALLOWED_ORIGINS", () => {
  const allowed = env.ALLOWED_ORIGINS.split(",")[0]!.trim();

  it("allows a listed origin, preflight included", async () => {
    const simple = await call("GET", "/api/v1/health", { headers: { origin: allowed } });
    expect(simple.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(simple.headers.get("access-control-expose-headers")).toContain("X-RateLimit-Remaining");

    const preflight = await fetchWorker("/api/v1/dev/echo", {
      method: "OPTIONS",
      headers: {
        origin: allowed,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
  });

  it("does not allow an unlisted origin", async () => {
    const res = await call("GET", "/api/v1/health", { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetchWorker("/api/v1/dev/echo", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("X-RateLimit-* headers", () => {
  it("are on every /api/v1 response: success, 404, 400, 413, 415", async () => {
    const ip = freshIp();
    const headers = { "cf-connecting-ip": ip };
    const json = { ...headers, "content-type": "application/json" };
    const responses = [
      await call("GET", "/api/v1/health", { headers }),
      await call("POST", "/api/v1/dev/echo", { body: { message: "hi" }, headers }),
      await call("GET", "/api/v1/nope", { headers }),
      await call("POST", "/api/v1/dev/echo", { body: { message: 1 }, headers }),
      await call("POST", "/api/v1/dev/echo", { raw: "{", headers: json }),
      await call("POST", "/api/v1/dev/echo", { raw: "x".repeat(MAX + 1), headers: json }),
      await call("POST", "/api/v1/dev/echo", { raw: "hi", headers: { ...headers, "content-type": "text/plain" } }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 201, 404, 400, 400, 413, 415]);
    for (const res of responses) expectRateLimitHeaders(res.headers);
  });

  it("count down per client, rejected requests included", async () => {
    const headers = { "cf-connecting-ip": freshIp() };
    const first = await call("GET", "/api/v1/health", { headers });
    const rejected = await call("POST", "/api/v1/dev/echo", {
      raw: "hi",
      headers: { ...headers, "content-type": "text/plain" },
    });
    const third = await call("GET", "/api/v1/nope", { headers });
    const remaining = [first, rejected, third].map((r) => Number(r.headers.get("x-ratelimit-remaining")));
    const limit = Number(env.RATE_LIMIT_PER_MINUTE);
    if (first.headers.get("x-ratelimit-reset") === third.headers.get("x-ratelimit-reset")) {
      expect(remaining).toEqual([limit - 1, limit - 2, limit - 3]);
    } else {
      // The minute rolled over between requests: the count restarted.
      expect(remaining[2]).toBeLessThan(limit);
    }
    // Another client has its own bucket.
    const other = await call("GET", "/api/v1/health", { headers: { "cf-connecting-ip": freshIp() } });
    expect(Number(other.headers.get("x-ratelimit-remaining"))).toBe(limit - 1);
  });

  it("are not on responses outside /api/v1", async () => {
    const res = await fetchWorker("/docs");
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
  });
});

describe("bad requests leave no trace", () => {
  it("changes no D1 table and writes no R2 object", async () => {
    const before = await tableCounts();
    const echoesBefore = (await env.DOCUMENTS.list({ prefix: "dev-echo/" })).objects.length;
    const json = { "content-type": "application/json" };
    const bad = [
      await call("POST", "/api/v1/dev/echo", { body: { message: "" }, headers: { "idempotency-key": "bad-1" } }),
      await call("POST", "/api/v1/dev/echo", { raw: "{nope", headers: { ...json, "idempotency-key": "bad-2" } }),
      await call("POST", "/api/v1/dev/echo", {
        raw: "x".repeat(MAX + 1),
        headers: { ...json, "idempotency-key": "bad-3" },
      }),
      await call("POST", "/api/v1/dev/echo", {
        raw: "hi",
        headers: { "content-type": "text/plain", "idempotency-key": "bad-4" },
      }),
      await call("POST", "/api/v1/dev/echo", {
        body: { message: "hi" },
        headers: { "idempotency-key": "k".repeat(256) },
      }),
      await call("POST", "/api/v1/nope", { body: { message: "hi" }, headers: { "idempotency-key": "bad-6" } }),
      await call("DELETE", "/api/v1/health"),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 413, 415, 400, 404, 404]);
    expect(await tableCounts()).toEqual(before);
    expect((await env.DOCUMENTS.list({ prefix: "dev-echo/" })).objects.length).toBe(echoesBefore);
  });
});

describe("the dev echo route", () => {
  it("does not exist outside development and test: 404 RES001, no side effect", async () => {
    const before = (await env.DOCUMENTS.list({ prefix: "dev-echo/" })).objects.length;
    const res = await send(pipelineApp(), "POST", "/api/v1/dev/echo", {
      body: { message: "hi" },
      env: { ENVIRONMENT: "production" },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RES001");
    expect((await env.DOCUMENTS.list({ prefix: "dev-echo/" })).objects.length).toBe(before);
  });
});

// Rate limiting: 429 RATE001 with Retry-After, named stricter limits, and the RateLimiter object's window.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { awayFromMinuteEdge, freshIp, pipelineApp, send } from "./pipeline-app";
import { SYNC_MS, enforceRateLimit, ipv6Network, rateLimit } from "../../src/lib/rate-limit";
import { ok } from "../../src/lib/respond";

const strictEnv = { RATE_LIMIT_PER_MINUTE: "3" };

describe("global /api/v1 limit (RATE_LIMIT_PER_MINUTE)", () => {
  const app = pipelineApp();

  it("answers 429 RATE001 with Retry-After once the limit is used up", async () => {
    await awayFromMinuteEdge();
    const headers = { "cf-connecting-ip": freshIp() };
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push(await send(app, "GET", "/api/v1/ping", { headers, env: strictEnv }));
    expect(allowed.map((r) => r.headers.get("x-ratelimit-remaining"))).toEqual(["2", "1", "0"]);
    expect(allowed.every((r) => r.headers.get("x-ratelimit-limit") === "3")).toBe(true);

    const limited = await send(app, "GET", "/api/v1/ping", { headers, env: strictEnv });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ success: false, error: { code: "RATE001" } });
    expect(limited.body.metadata.requestId).toBe(limited.headers.get("x-request-id"));
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBe(Number(allowed[0]!.headers.get("x-ratelimit-reset")));
    // Security headers and CORS still wrap the 429.
    expect(limited.headers.get("x-content-type-options")).toBe("nosniff");

    // Other clients are unaffected.
    const other = await send(app, "GET", "/api/v1/ping", {
      headers: { "cf-connecting-ip": freshIp() },
      env: strictEnv,
    });
    expect(other.status).toBe(200);
  });

  it("counts requests rejected before the limiter (415) and answers 429 once over", async () => {
    await awayFromMinuteEdge();
    const headers = { "cf-connecting-ip": freshIp(), "content-type": "text/plain" };
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await send(app, "POST", "/api/v1/dev/echo", { headers, env: strictEnv, body: "x" });
      statuses.push(res.status);
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      if (res.status === 429) expect(res.headers.get("retry-after")).not.toBeNull();
    }
    expect(statuses).toEqual([415, 415, 415, 429]);
  });

  it("limits each IPv6 /64 as one client", async () => {
    await awayFromMinuteEdge();
    const statuses = [];
    for (const host of ["1", "2", "3", "ffff"]) {
      const res = await send(app, "GET", "/api/v1/ping", {
        headers: { "cf-connecting-ip": `2001:db8:7:9::${host}` },
        env: strictEnv,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe("global limit counted in the isolate (LocalCounter)", () => {
  const app = pipelineApp();
  const stubFor = (ip: string) => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`api:ip:${ip}`));

  it("keeps X-RateLimit-Remaining exact per request and pushes the hits to the object within SYNC_MS", async () => {
    await awayFromMinuteEdge(5000);
    const ip = freshIp();
    const limit = { RATE_LIMIT_PER_MINUTE: "1000" };
    const remaining = [];
    for (let i = 0; i < 20; i++) {
      remaining.push(
        (await send(app, "GET", "/api/v1/ping", { headers: { "cf-connecting-ip": ip }, env: limit })).headers.get(
          "x-ratelimit-remaining",
        ),
      );
    }
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => String(999 - i)));
    // The sync is time-driven: the first request after SYNC_MS pushes every pending hit (after its response).
    await new Promise((r) => setTimeout(r, SYNC_MS + 50));
    await send(app, "GET", "/api/v1/ping", { headers: { "cf-connecting-ip": ip }, env: limit });
    expect(await stubFor(ip).hit(1000, 60)).toMatchObject({ count: 22, remaining: 978 });
  });

  it("lets the object decide near the limit, counting other isolates' hits: never more than the limit in total", async () => {
    await awayFromMinuteEdge(5000);
    const ip = freshIp();
    const limit = { RATE_LIMIT_PER_MINUTE: "15" };
    const statuses = [
      (await send(app, "GET", "/api/v1/ping", { headers: { "cf-connecting-ip": ip }, env: limit })).status,
    ];
    // Another isolate (another edge location) spends 5 of the 15 meanwhile.
    await stubFor(ip).hit(15, 60, 5);
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await send(app, "GET", "/api/v1/ping", { headers: { "cf-connecting-ip": ip }, env: limit })).status,
      );
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
  });
});

describe("named limits for abuse-prone routes", () => {
  let handled = 0;
  const app = pipelineApp((a) => {
    a.post("/api/v1/test/login", rateLimit({ name: "test-login", limit: 2, windowSeconds: 60 }), (c) => {
      handled += 1;
      return ok(c, { handled });
    });
    // Key known only after parsing the body: count per email, skip when absent.
    a.post("/api/v1/test/otp", async (c) => {
      const { email } = await c.req.json<{ email?: string }>();
      await enforceRateLimit(c, { name: "test-otp", limit: 1, windowSeconds: 60, key: () => email ?? null });
      return ok(c, { sent: true });
    });
  });

  it("applies the stricter limit and reports it in the headers", async () => {
    await awayFromMinuteEdge();
    const headers = { "cf-connecting-ip": freshIp() };
    const first = await send(app, "POST", "/api/v1/test/login", { headers, body: {} });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    await send(app, "POST", "/api/v1/test/login", { headers, body: {} });
    const limited = await send(app, "POST", "/api/v1/test/login", { headers, body: {} });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE001");
    expect(limited.headers.get("retry-after")).not.toBeNull();
    expect(handled).toBe(2);

    // The general limit of the same client is untouched by the named one.
    const elsewhere = await send(app, "GET", "/api/v1/ping", { headers });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get("x-ratelimit-limit")).toBe(env.RATE_LIMIT_PER_MINUTE);
  });

  it("counts by a key from the body, and not at all when the key is absent", async () => {
    await awayFromMinuteEdge();
    const email = `${freshIp()}@example.com`;
    const first = await send(app, "POST", "/api/v1/test/otp", {
      headers: { "cf-connecting-ip": freshIp() },
      body: { email },
    });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("1");
    // Same email from another IP: still limited.
    const second = await send(app, "POST", "/api/v1/test/otp", {
      headers: { "cf-connecting-ip": freshIp() },
      body: { email },
    });
    expect(second.status).toBe(429);
    const noKey = await send(app, "POST", "/api/v1/test/otp", { headers: { "cf-connecting-ip": freshIp() }, body: {} });
    expect(noKey.status).toBe(200);
    expect(noKey.headers.get("x-ratelimit-limit")).toBe(env.RATE_LIMIT_PER_MINUTE);
  });
});

describe("RateLimiter Durable Object", () => {
  const stubFor = (name: string) => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));

  it("opens a new window when the old one ends", async () => {
    const stub = stubFor("unit:window");
    const first = await stub.hit(2, 1);
    expect(first).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    await stub.hit(2, 1);
    const third = await stub.hit(2, 1);
    if (third.resetAt === first.resetAt) expect(third).toMatchObject({ allowed: false, remaining: 0 });
    await new Promise((r) => setTimeout(r, Math.max(0, first.resetAt - Date.now()) + 20));
    const later = await stub.hit(2, 1);
    expect(later.resetAt).toBeGreaterThan(first.resetAt);
    expect(later.allowed).toBe(true);
  });

  it("keeps the count across an eviction", async () => {
    await awayFromMinuteEdge();
    const stub = stubFor("unit:evict");
    await stub.hit(5, 60);
    await stub.hit(5, 60);
    await evictDurableObject(stub);
    expect(await stub.hit(5, 60)).toMatchObject({ remaining: 2 });
  });

  it("deletes its storage at the end of an idle window", async () => {
    const stub = stubFor("unit:cleanup");
    const storedKeys = () => runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()].length);
    const decision = await stub.hit(5, 1);
    expect(await storedKeys()).toBe(1);
    await new Promise((r) => setTimeout(r, Math.max(0, decision.resetAt - Date.now()) + 100));
    await runDurableObjectAlarm(stub); // Runs it now unless the scheduled alarm already fired.
    expect(await storedKeys()).toBe(0);
    expect(await stub.hit(5, 1)).toMatchObject({ remaining: 4 });
  });
});

describe("ipv6Network", () => {
  it("reduces an address to its /64", () => {
    expect(ipv6Network("2001:db8:7:9::1")).toBe("2001:db8:7:9::/64");
    expect(ipv6Network("2001:0DB8:0007:0009:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:7:9::/64");
    expect(ipv6Network("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipv6Network("::1")).toBe("0:0:0:0::/64");
  });
});

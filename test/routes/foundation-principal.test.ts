// The pipeline for an authenticated caller: the rate-limit bucket and the Idempotency-Key scope follow the user,
// not the IP; a rejected token is still counted and still carries X-RateLimit-*.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { awayFromMinuteEdge, freshIp } from "../lib/pipeline-app";

let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  alice = await createUser();
  bob = await createUser();
});

const echoCount = async () => (await env.DOCUMENTS.list({ prefix: "dev-echo/" })).objects.length;

describe("rate limit per principal", () => {
  it("counts one user's requests together across IPs, and separately from other users", async () => {
    await awayFromMinuteEdge();
    const limit = Number(env.RATE_LIMIT_PER_MINUTE);
    const fromA = await call("GET", "/api/v1/ping", {
      token: alice.accessToken,
      headers: { "cf-connecting-ip": freshIp() },
    });
    const fromB = await call("GET", "/api/v1/ping", {
      token: alice.accessToken,
      headers: { "cf-connecting-ip": freshIp() },
    });
    expect(Number(fromB.headers.get("x-ratelimit-remaining"))).toBe(
      Number(fromA.headers.get("x-ratelimit-remaining")) - 1,
    );

    const sameIp = freshIp();
    const bobs = await call("GET", "/api/v1/ping", { token: bob.accessToken, headers: { "cf-connecting-ip": sameIp } });
    const anon = await call("GET", "/api/v1/ping", { headers: { "cf-connecting-ip": sameIp } });
    expect(Number(anon.headers.get("x-ratelimit-remaining"))).toBe(limit - 1);
    expect(Number(bobs.headers.get("x-ratelimit-remaining"))).toBeLessThan(limit);
  });

  it("still counts and labels a request whose token is rejected", async () => {
    await awayFromMinuteEdge();
    const ip = freshIp();
    const rejected = await call("GET", "/api/v1/ping", {
      token: "not-a-valid-token",
      headers: { "cf-connecting-ip": ip },
    });
    expect(rejected.status).toBe(401);
    expect(rejected.headers.get("x-ratelimit-limit")).toBe(env.RATE_LIMIT_PER_MINUTE);
    const next = await call("GET", "/api/v1/ping", { headers: { "cf-connecting-ip": ip } });
    expect(Number(next.headers.get("x-ratelimit-remaining"))).toBe(
      Number(rejected.headers.get("x-ratelimit-remaining")) - 1,
    );
  });
});

describe("Idempotency-Key per principal", () => {
  it("replays for the same user from another IP, and is a new request for another user", async () => {
    const before = await echoCount();
    const body = { message: "user-scoped" };
    const first = await call("POST", "/api/v1/dev/echo", {
      body,
      token: alice.accessToken,
      headers: { "cf-connecting-ip": freshIp(), "idempotency-key": "principal-key" },
    });
    const moved = await call("POST", "/api/v1/dev/echo", {
      body,
      token: alice.accessToken,
      headers: { "cf-connecting-ip": freshIp(), "idempotency-key": "principal-key" },
    });
    expect(first.status).toBe(201);
    expect(moved.headers.get("idempotent-replayed")).toBe("true");
    expect(moved.body).toEqual(first.body);

    const other = await call("POST", "/api/v1/dev/echo", {
      body,
      token: bob.accessToken,
      headers: { "idempotency-key": "principal-key" },
    });
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(await echoCount()).toBe(before + 2);

    const row = await env.DB.prepare(
      "SELECT scope FROM idempotency_keys WHERE key = 'principal-key' ORDER BY scope",
    ).all<{ scope: string }>();
    expect(row.results.map((r) => r.scope).sort()).toEqual([`usr:${alice.user.id}`, `usr:${bob.user.id}`].sort());
  });
});

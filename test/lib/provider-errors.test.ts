// A provider's predictable refusal is a client error with guidance, never a 500 (issue 20.2): real refusals of the
// local D1, R2, Queues and an unreachable chain RPC go through the real app's error handler.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createPublicClient, http } from "viem";
import { DrizzleQueryError } from "drizzle-orm";
import { pipelineApp, send } from "./pipeline-app";
import { providerRefusal } from "../../src/lib/provider-errors";
import { enqueueJob } from "../../src/lib/jobs";

const MiB = 1024 * 1024;

const app = pipelineApp((a) => {
  a.get("/api/v1/test/d1-variables", async () => {
    const n = 40_000;
    await env.DB.prepare(`SELECT ${Array(n).fill("?").join(",")}`)
      .bind(...Array(n).fill(1))
      .all();
    return new Response("unreachable");
  });
  a.get("/api/v1/test/d1-constraint", async () => {
    await env.DB.prepare("CREATE TABLE IF NOT EXISTS t_unique (k TEXT PRIMARY KEY)").run();
    try {
      await env.DB.prepare("INSERT OR IGNORE INTO t_unique (k) VALUES ('a')").run();
      await env.DB.prepare("INSERT INTO t_unique (k) VALUES ('a')").run();
    } finally {
      // Other files share this database and walk its schema (user-data registry, erasure, table counts).
      await env.DB.prepare("DROP TABLE t_unique").run();
    }
    return new Response("unreachable");
  });
  a.get("/api/v1/test/d1-overloaded", () => {
    // Cannot be provoked locally: the documented message of the production refusal.
    throw new Error("D1_ERROR: D1 DB is overloaded. Requests queued for too long.");
  });
  a.get("/api/v1/test/d1-flagged-drizzle", () => {
    // A transient D1 failure cannot be provoked locally: its shape (flag on the binding's error) inside drizzle's.
    const d1 = Object.assign(new Error("D1_ERROR: an internal error the docs do not list"), { retryable: true });
    throw new DrizzleQueryError('select "id" from "users"', [], d1);
  });
  a.get("/api/v1/test/queue-too-large", async () => {
    // Locally the binding only says "Unknown Internal Error (15000)": producers check the size before sending.
    await enqueueJob(env, "test.big", { blob: "x".repeat(200_000) });
    return new Response("unreachable");
  });
  a.get("/api/v1/test/r2-unequal-parts", async () => {
    const upload = await env.DOCUMENTS.createMultipartUpload("test/unequal");
    const p1 = await upload.uploadPart(1, new Uint8Array(5 * MiB + 1024));
    const p2 = await upload.uploadPart(2, new Uint8Array(5 * MiB));
    const p3 = await upload.uploadPart(3, new Uint8Array(100));
    try {
      await upload.complete([p1, p2, p3]);
    } finally {
      // Its 10 MiB of parts would stay in the bucket that other files share.
      await upload.abort().catch(() => {});
    }
    return new Response("unreachable");
  });
  a.get("/api/v1/test/chain-down", async () => {
    const client = createPublicClient({ transport: http("http://127.0.0.1:9/", { timeout: 2_000, retryCount: 0 }) });
    await client.getBlockNumber();
    return new Response("unreachable");
  });
});

describe("provider refusals", () => {
  it("D1: too many SQL variables is VAL001 saying to send fewer, with no SQL in the answer", async () => {
    const res = await send(app, "GET", "/api/v1/test/d1-variables");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "VAL001" });
    expect(res.body.error.message).toMatch(/send fewer/);
    expect(res.text).not.toMatch(/SQL|SQLITE|D1_ERROR/);
  });

  it("D1: a constraint failure is RES002, not a 500", async () => {
    const res = await send(app, "GET", "/api/v1/test/d1-constraint");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
    expect(res.text).not.toMatch(/UNIQUE|t_unique|SQLITE/);
  });

  it("D1 overloaded is SYS002 with Retry-After", async () => {
    const res = await send(app, "GET", "/api/v1/test/d1-overloaded");
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: "SYS002", details: { retryAfterSeconds: 5 } });
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.text).not.toMatch(/D1_ERROR|queued/);
  });

  it("Queues: a message over 128 KB is VAL003", async () => {
    const res = await send(app, "GET", "/api/v1/test/queue-too-large");
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("VAL003");
  });

  it("R2: completing parts of unequal size is RES002 explaining the part rule", async () => {
    const res = await send(app, "GET", "/api/v1/test/r2-unequal-parts");
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
    expect(res.body.error.message).toMatch(/same size/);
  });

  it("chain RPC unreachable is PROC001 (502), not SYS001", async () => {
    const res = await send(app, "GET", "/api/v1/test/chain-down");
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("PROC001");
    expect(res.text).not.toContain("127.0.0.1");
  });

  it("anything else stays SYS001 (a bug is not a refusal)", () => {
    expect(providerRefusal(new TypeError("Cannot read properties of undefined"))).toBeNull();
  });

  it("production's documented refusal texts map to stable codes", () => {
    const code = (message: string) => providerRefusal(new Error(message))?.error.code;
    expect(code("Queue send failed: message size of 130000 bytes exceeds limit of 128000")).toBe("VAL003");
    expect(code("completeMultipartUpload: All non-trailing parts must have the same length. (10048)")).toBe("RES002");
    expect(code("D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT")).toBe("RES002");
    expect(code("D1 DB reset because its code was updated.")).toBe("SYS002");
    expect(code("insufficient funds for gas * price + value")).toBe("PROC001");
    // Durable Objects (our rooms) answer transient failures too: a dependency unavailable, not a bug.
    expect(code("Durable Object is overloaded. Too many requests queued.")).toBe("SYS002");
    expect(code("Durable Object reset because its code was updated.")).toBe("SYS002");
    const flagged = Object.assign(new Error("something transient"), { retryable: true });
    expect(providerRefusal(flagged)?.error).toMatchObject({ code: "SYS002", headers: { "retry-after": "5" } });
  });

  it("a flagged D1 error wrapped by drizzle is SYS002 labelled d1; a flagged Durable Object error durable_objects", () => {
    // drizzle wraps every D1 failure ("Failed query: …") with the binding's error as `cause`.
    const d1 = Object.assign(new Error("D1_ERROR: an internal error the docs do not list"), { retryable: true });
    const wrapped = new DrizzleQueryError("select 1", [], d1);
    expect(providerRefusal(wrapped)).toMatchObject({
      provider: "d1",
      kind: "retryable",
      error: { code: "SYS002", headers: { "retry-after": "5" } },
    });
    const overloaded = Object.assign(new Error("D1_ERROR: something new"), { overloaded: true });
    expect(providerRefusal(new DrizzleQueryError("select 1", [], overloaded))).toMatchObject({
      provider: "d1",
      error: { code: "SYS002" },
    });
    const room = Object.assign(new Error("something transient"), { retryable: true });
    expect(providerRefusal(new Error("rpc failed", { cause: room }))).toMatchObject({
      provider: "durable_objects",
      kind: "retryable",
    });
    // An unflagged drizzle failure stays a bug (SYS001 through the handler).
    expect(providerRefusal(new DrizzleQueryError("select 1", [], new Error("no such column: x")))).toBeNull();
  });

  it("a flagged D1 error thrown through a drizzle query reaches the client as SYS002, not 500", async () => {
    const res = await send(app, "GET", "/api/v1/test/d1-flagged-drizzle");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.body.error.code).toBe("SYS002");
    expect(res.text).not.toMatch(/D1_ERROR|Failed query|users/);
  });
});

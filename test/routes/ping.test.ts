// GET /api/v1/ping: the dependency-free liveness route (also the benchmark's baseline).
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("GET /api/v1/ping", () => {
  it("answers pong in the success envelope without an Authorization header", async () => {
    const res = await call("GET", "/api/v1/ping");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, data: { pong: true }, metadata: { version: "v1" } });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("is GET only", async () => {
    const res = await call("POST", "/api/v1/ping", { body: {} });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "RES001" } });
  });
});

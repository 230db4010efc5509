import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

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

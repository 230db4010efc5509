// The API reference: the OpenAPI 3.1 document built from the route definitions, and the /docs page that renders it.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document describing the operations routes with the shared envelopes", async () => {
    const res = await call("GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const doc = res.body as any;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Escra API");
    expect(doc.paths["/api/v1/health"].get.responses).toHaveProperty("200");
    expect(doc.paths["/api/v1/health"].get.responses).toHaveProperty("503");
    expect(doc.paths["/api/v1/ping"].get.summary).toMatch(/liveness/i);
    expect(doc.components.schemas).toHaveProperty("Health");
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.servers[0].url).toBe("https://escra.test");
  });

  it("names the origin of each request as the server, although the document is generated once", async () => {
    await call("GET", "/api/v1/openapi.json");
    const res = await exports.default.fetch(new Request("https://api.example.test/api/v1/openapi.json"));
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.servers).toEqual([{ url: "https://api.example.test", description: "test" }]);
    expect(doc.paths["/api/v1/health"]).toBeDefined();
  });
});

describe("GET /docs", () => {
  it("serves the reference page under a strict CSP that only allows our own origin", async () => {
    const res = await fetchWorker("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:/); // no third-party origin anywhere in the policy
    expect(res.headers.get("x-frame-options")).toBe("DENY");

    const html = await res.text();
    expect(html).toContain('<script src="/docs-assets/scalar.js"></script>');
    expect(html).toContain('data-url="/api/v1/openapi.json"');
    // Everything the renderer would fetch from a third party is switched off.
    const config = JSON.parse(/data-configuration='([^']*)'/.exec(html)?.[1] ?? "null");
    expect(config).toMatchObject({
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
    });
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
  });

  it("answers other methods with RES001 in the error envelope", async () => {
    const res = await call("POST", "/docs");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, error: { code: "RES001" } });
  });
});

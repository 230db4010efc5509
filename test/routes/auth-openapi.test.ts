// The identity routes are in the OpenAPI document, with bearer security on the authenticated ones.
import { describe, expect, it } from "vitest";
import { fetchWorker } from "../helpers/http";

describe("OpenAPI", () => {
  it("documents every auth route, and security where a token is needed", async () => {
    const doc = (await (await fetchWorker("/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const expected: Array<[string, string, boolean]> = [
      ["/api/v1/auth/register", "post", false],
      ["/api/v1/auth/verify-email", "post", false],
      ["/api/v1/auth/resend-verification", "post", false],
      ["/api/v1/auth/login", "post", false],
      ["/api/v1/auth/refresh", "post", false],
      ["/api/v1/auth/logout", "post", true],
      ["/api/v1/auth/me", "get", true],
      ["/api/v1/auth/mfa/enable", "post", true],
      ["/api/v1/auth/mfa/verify", "post", true],
      ["/api/v1/auth/mfa/disable", "post", true],
      ["/api/v1/auth/sessions", "get", true],
      ["/api/v1/auth/sessions/{id}", "delete", true],
      ["/api/v1/auth/password/reset", "post", false],
      ["/api/v1/auth/password/reset/confirm", "post", false],
      ["/api/v1/auth/password/change", "post", true],
      ["/.well-known/jwks.json", "get", false],
    ];
    for (const [path, method, secured] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Boolean(op!.security?.length), `${method} ${path} security`).toBe(secured);
    }
  });
});

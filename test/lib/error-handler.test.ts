// Thrown errors become 500 SYS001 in the envelope, with nothing of the error itself in the response.
import { describe, expect, it } from "vitest";
import { pipelineApp, send } from "./pipeline-app";

const SECRET = "password=hunter2 at Database.query (/srv/escra/src/db/client.ts:42:7)";

describe("unexpected errors", () => {
  const app = pipelineApp((a) => {
    a.get("/api/v1/test/explode", () => {
      throw new TypeError(SECRET);
    });
    a.get("/api/v1/test/throw-string", () => {
      // Not an Error instance: still an envelope, never a crash page.
      throw SECRET as unknown as Error;
    });
    a.get("/api/v1/test/async-reject", async () => {
      await Promise.resolve();
      throw new Error(SECRET);
    });
  });

  for (const path of ["/api/v1/test/explode", "/api/v1/test/async-reject", "/api/v1/test/throw-string"]) {
    it(`answers 500 SYS001 without internals (${path})`, async () => {
      const res = await send(app, "GET", path);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({
        success: false,
        error: { code: "SYS001", message: "An unexpected error occurred" },
        metadata: { version: "v1" },
      });
      expect(res.body.error.details).toBeUndefined();
      expect(res.text).not.toContain("hunter2");
      expect(res.text).not.toContain("client.ts");
      expect(res.text).not.toMatch(/TypeError|stack/i);
      expect(res.headers.get("x-request-id")).toBe(res.body.metadata.requestId);
      expect(res.headers.get("x-ratelimit-limit")).not.toBeNull();
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    });
  }
});

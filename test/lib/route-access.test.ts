// The access mechanism of createRouter (lib/auth withDeclaredAccess): a route that declares no access refuses API
// keys, a declared scope is enforced before validation, and each route publishes its access in the OpenAPI document.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../src/lib/router";
import { authenticate, publicRoute, requireScope, requireSession } from "../../src/lib/auth";
import { onError } from "../../src/lib/error-handler";
import { requestContext } from "../../src/lib/request-context";
import { createUser } from "../helpers/users";
import { call } from "../helpers/http";

const ok = { 200: { description: "ok" } };
const body = { content: { "application/json": { schema: z.object({ n: z.number() }) } }, required: true };

function app() {
  const a = createRouter();
  a.use("*", requestContext);
  a.use("*", authenticate);
  a.openapi(createRoute({ method: "post", path: "/forgotten", request: { body }, responses: ok }), (c) =>
    c.json({ ok: true }, 200),
  );
  a.openapi(
    createRoute({
      method: "post",
      path: "/scoped",
      middleware: [requireScope("contracts:write")],
      request: { body },
      responses: ok,
    }),
    (c) => c.json({ ok: true }, 200),
  );
  a.openapi(createRoute({ method: "post", path: "/person", middleware: [requireSession()], responses: ok }), (c) =>
    c.json({ ok: true }, 200),
  );
  a.openapi(createRoute({ method: "get", path: "/open", middleware: [publicRoute()], responses: ok }), (c) =>
    c.json({ ok: true }, 200),
  );
  a.onError(onError);
  return a;
}

async function send(path: string, token?: string, payload: unknown = { n: 1 }) {
  const res = await app().request(
    path,
    {
      method: path === "/open" ? "GET" : "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: path === "/open" ? undefined : JSON.stringify(payload),
    },
    env,
  );
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

async function keyWith(token: string, scopes: string[]) {
  const res = await call("POST", "/api/v1/api-keys", { token, body: { name: "k", scopes } });
  return res.body.data.secret as string;
}

describe("route access", () => {
  it("a route that declares no access refuses every API key (AUTH003) and admits the person's session", async () => {
    const user = await createUser();
    const key = await keyWith(user.accessToken, ["contracts:read", "contracts:write", "profile:write"]);
    const byKey = await send("/forgotten", key);
    expect(byKey.status).toBe(403);
    expect(byKey.body.error?.code).toBe("AUTH003");
    expect((await send("/forgotten", user.accessToken)).status).toBe(200);
    expect((await send("/forgotten")).body.error?.code).toBe("AUTH004");
  });

  it("checks a declared scope before validation: a key without it gets AUTH003, not VAL001", async () => {
    const user = await createUser();
    const reader = await keyWith(user.accessToken, ["contracts:read"]);
    const writer = await keyWith(user.accessToken, ["contracts:write"]);
    expect((await send("/scoped", reader, { wrong: true })).body.error?.code).toBe("AUTH003");
    expect((await send("/scoped", writer, { wrong: true })).body.error?.code).toBe("VAL001");
    expect((await send("/scoped", writer)).status).toBe(200);
    expect((await send("/person", writer)).body.error?.code).toBe("AUTH003");
    expect((await send("/open", writer)).status).toBe(200);
    expect((await send("/open")).status).toBe(200);
  });

  it("publishes each route's access on its OpenAPI operation", () => {
    const doc = app().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    expect(doc.paths!["/forgotten"]!.post).toMatchObject({
      "x-escra-access": "session",
      "x-escra-access-default": true,
    });
    expect(doc.paths!["/scoped"]!.post).toMatchObject({
      "x-escra-access": "scope",
      "x-escra-scope": "contracts:write",
      security: [{ bearer: ["contracts:write"] }],
    });
    expect(doc.paths!["/person"]!.post).toMatchObject({ "x-escra-access": "session" });
    expect(doc.paths!["/person"]!.post).not.toHaveProperty("x-escra-access-default");
    expect(doc.paths!["/open"]!.get).toMatchObject({ "x-escra-access": "public" });
  });
});

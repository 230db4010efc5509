// Headers set after the handler answered: in place when the Response allows it, one copy when it does not.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { setResponseHeaders } from "../../src/lib/response-headers";

function appAnswering(respond: () => Response) {
  const seen: { before?: Response; after?: Response } = {};
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    seen.before = c.res;
    setResponseHeaders(c, [
      ["X-One", "1"],
      ["X-Two", "2"],
      ["Vary", "Origin", true],
    ]);
    seen.after = c.res;
  });
  app.get("/", () => respond());
  return { app, seen };
}

describe("setResponseHeaders", () => {
  it("writes into the handler's Response without copying it", async () => {
    const { app, seen } = appAnswering(() => new Response("ok", { headers: { Vary: "Accept" } }));
    const res = await app.request("/");
    expect(seen.after).toBe(seen.before);
    expect(res.headers.get("x-one")).toBe("1");
    expect(res.headers.get("x-two")).toBe("2");
    expect(res.headers.get("vary")).toBe("Accept, Origin");
    expect(await res.text()).toBe("ok");
  });

  it("copies a Response whose headers are immutable once, keeping status, body and every header", async () => {
    const { app, seen } = appAnswering(() => Response.redirect("https://escra.test/elsewhere", 302));
    const res = await app.request("/");
    expect(seen.after).not.toBe(seen.before);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://escra.test/elsewhere");
    expect(res.headers.get("x-one")).toBe("1");
    expect(res.headers.get("x-two")).toBe("2");
    expect(res.headers.get("vary")).toBe("Origin");
  });

  it("before the handler answered, sets headers for the coming response", async () => {
    const app = new Hono();
    app.use("*", async (c, next) => {
      setResponseHeaders(c, [["X-Early", "yes"]]);
      await next();
    });
    app.get("/", (c) => c.json({ ok: true }));
    const res = await app.request("/");
    expect(res.headers.get("x-early")).toBe("yes");
    expect(await res.json()).toEqual({ ok: true });
  });
});

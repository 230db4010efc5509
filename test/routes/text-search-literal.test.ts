// A caller's search text matches literally: `%`, `_` and `\` in it are characters, not LIKE wildcards, in every list
// that searches text (the listing catalog, templates, the admin user list, audit-log action
// prefixes). The example that failed: `action=api_key.*` found no API key entry, and `q=50%` no "50%" title.
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";

let seller: TestUser;
let admin: TestUser;
const tag = crypto.randomUUID().slice(0, 8);

beforeAll(async () => {
  [seller, admin] = await Promise.all([createUser({ name: `Percy 50%_${tag}` }), createUser({ role: "admin" })]);
});

const get = (path: string, who: TestUser) => call("GET", `/api/v1${path}`, { token: who.accessToken });

describe("search text with LIKE's special characters", () => {
  it("an audit-log action prefix with `_` (api_key.*) finds the API key entries", async () => {
    const key = await call("POST", "/api/v1/api-keys", {
      token: seller.accessToken,
      body: { name: "ci", scopes: ["contracts:read"] },
    });
    expect(key.status).toBe(201);
    const res = await get("/audit/logs?action=api_key.*", seller);
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { action: string }) => e.action)).toContain("api_key.created");
  });

  it("the listing catalog searched for `50%` finds the title with 50%, not the one with 500", async () => {
    for (const title of [`Deal 50% off ${tag}`, `Deal 500 off ${tag}`, `Deal 50_off ${tag}`]) {
      const created = await call("POST", "/api/v1/listings", {
        token: seller.accessToken,
        body: { title, description: "d", category: "Social", price: { amount: 1000, currency: "NGN" } },
      });
      expect(created.status).toBe(201);
      const id = created.body.data.id;
      expect((await call("POST", `/api/v1/listings/${id}/submit`, { token: seller.accessToken })).status).toBe(200);
      const approved = await call("POST", `/api/v1/admin/listings/${id}/approve`, {
        token: admin.accessToken,
        body: {},
      });
      expect(approved.status).toBe(200);
    }
    const search = (q: string) => call("GET", `/api/v1/catalog?q=${encodeURIComponent(q)}`);
    const res = await search(`50% off ${tag}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((l: { title: string }) => l.title)).toEqual([`Deal 50% off ${tag}`]);
    expect((await search(`50_off ${tag}`)).body.data.map((l: { title: string }) => l.title)).toEqual([
      `Deal 50_off ${tag}`,
    ]);
  });

  it("templates searched for `%` alone find only names or descriptions with a percent sign", async () => {
    const created = await call("POST", "/api/v1/templates", {
      token: seller.accessToken,
      body: { name: `Fee 5% ${tag}`, type: "service", category: "Services", body: "Fee of 5%." },
    });
    expect(created.status).toBe(201);
    const res = await get(`/templates?q=${encodeURIComponent(`5% ${tag}`)}`, seller);
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual([`Fee 5% ${tag}`]);
    const wildcard = await get(`/templates?q=${encodeURIComponent(`F_e 5% ${tag}`)}`, seller);
    expect(wildcard.body.data).toEqual([]);
  });

  it("the admin user list searched for `50%_` finds the user whose name holds it", async () => {
    const res = await get(`/admin/users?q=${encodeURIComponent(`50%_${tag}`)}`, admin);
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: { id: string }) => u.id)).toEqual([seller.user.id]);
    const wildcard = await get(`/admin/users?q=${encodeURIComponent(`50__${tag}`)}`, admin);
    expect(wildcard.body.data).toEqual([]);
  });
});

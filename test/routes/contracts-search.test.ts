import { describe, expect, it, beforeAll } from "vitest";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { ftsQuery } from "../../src/domain/search-query";

let alice: Actor;
let bob: Actor;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [alice, bob] = await Promise.all([actor(), actor()]);
  const mk = async (who: Actor, key: string, body: Record<string, unknown>) => {
    ids[key] = (
      await call("POST", "/api/v1/contracts", { token: who.token, body: { type: "services", ...body } })
    ).body.data.id;
  };
  await mk(alice, "titleHit", { title: "Solar panel installation", body: "Roof work." });
  await mk(alice, "bodyHit", {
    title: "Maintenance",
    body: "Includes yearly solar inverter checks.",
    description: "Upkeep",
  });
  await mk(alice, "tagHit", { title: "Lease", body: "Premises.", tags: ["solar-farm"] });
  await mk(alice, "miss", { title: "Catering", body: "Food for the launch." });
  await mk(bob, "bobs", { title: "Bob's solar deal", body: "Private." });
});

describe("ftsQuery", () => {
  it("keeps words only, requires each, and prefixes the last", () => {
    expect(ftsQuery('solar "panel" OR NEAR(x) *')).toBe('"solar" "panel" "OR" "NEAR" "x"*');
    expect(ftsQuery("  ---  ")).toBeNull();
  });
});

describe("GET /contracts?q (FTS5, bm25)", () => {
  it("finds words in title, body and tags, best (title) first, only the caller's contracts, combined with filters", async () => {
    const res = await call("GET", "/api/v1/contracts?q=solar", { token: alice.token });
    expect(res.status).toBe(200);
    const found = res.body.data.map((c: any) => c.id);
    expect(found.sort()).toEqual([ids.titleHit, ids.bodyHit, ids.tagHit].sort());
    expect(res.body.data[0].id).toBe(ids.titleHit);
    expect(res.body.pagination.total).toBe(3);
    const prefix = await call("GET", "/api/v1/contracts?q=insta", { token: alice.token });
    expect(prefix.body.data.map((c: any) => c.id)).toEqual([ids.titleHit]);
    const filtered = await call("GET", "/api/v1/contracts?q=solar&tag=solar-farm", { token: alice.token });
    expect(filtered.body.data.map((c: any) => c.id)).toEqual([ids.tagHit]);
    expect((await call("GET", "/api/v1/contracts?q=%22%22", { token: alice.token })).body.data).toEqual([]);
  });

  it("follows edits (the index is kept by the projection)", async () => {
    await call("PATCH", `/api/v1/contracts/${ids.miss}`, {
      token: alice.token,
      body: { body: "Food and a solar powered kitchen." },
    });
    const res = await call("GET", "/api/v1/contracts?q=kitchen", { token: alice.token });
    expect(res.body.data.map((c: any) => c.id)).toEqual([ids.miss]);
    await call("PATCH", `/api/v1/contracts/${ids.miss}`, { token: alice.token, body: { body: "Food only." } });
    expect((await call("GET", "/api/v1/contracts?q=kitchen", { token: alice.token })).body.data).toEqual([]);
  });
});

describe("GET /search", () => {
  it("searches contracts and templates the caller may see, with snippets", async () => {
    const res = await call("GET", "/api/v1/search?q=solar", { token: alice.token });
    expect(res.status).toBe(200);
    const hits = res.body.data;
    expect(
      hits
        .filter((h: any) => h.type === "contract")
        .map((h: any) => h.id)
        .sort(),
    ).toEqual([ids.titleHit, ids.bodyHit, ids.tagHit].sort());
    expect(hits.some((h: any) => h.id === ids.bobs)).toBe(false);
    expect(hits.find((h: any) => h.id === ids.bodyHit).snippet).toContain("[solar]");
    const tpl = await call("GET", "/api/v1/search?q=confidential&type=template", { token: alice.token });
    expect(tpl.body.data.map((h: any) => h.id)).toEqual(["tpl_StarterNDA0000000000"]);
    expect(tpl.body.data[0]).toMatchObject({
      type: "template",
      title: "Mutual non-disclosure agreement",
      status: null,
    });
  });

  it("rejects a missing q or bad type (VAL001) and anonymous callers (AUTH004)", async () => {
    expect((await call("GET", "/api/v1/search", { token: alice.token })).body.error?.code).toBe("VAL001");
    expect((await call("GET", "/api/v1/search?q=x&type=user", { token: alice.token })).body.error?.code).toBe("VAL001");
    expect((await call("GET", "/api/v1/search?q=solar")).body.error?.code).toBe("AUTH004");
  });
});

describe("saved searches", () => {
  it("saves, lists, runs and deletes a search; others cannot see or run it", async () => {
    const saved = await call("POST", "/api/v1/saved-searches", {
      token: alice.token,
      body: { name: "Solar work", query: { q: "solar", tag: "solar-farm" } },
    });
    expect(saved.status).toBe(201);
    const id = saved.body.data.id;
    expect(saved.body.data).toMatchObject({ name: "Solar work", query: { q: "solar", tag: "solar-farm" } });
    expect(
      (await call("GET", "/api/v1/saved-searches", { token: alice.token })).body.data.map((s: any) => s.id),
    ).toEqual([id]);
    const run = await call("GET", `/api/v1/saved-searches/${id}/results`, { token: alice.token });
    expect(run.body.data.map((c: any) => c.id)).toEqual([ids.tagHit]);

    expect((await call("GET", "/api/v1/saved-searches", { token: bob.token })).body.data).toEqual([]);
    expect((await call("GET", `/api/v1/saved-searches/${id}/results`, { token: bob.token })).body.error?.code).toBe(
      "RES001",
    );
    expect((await call("DELETE", `/api/v1/saved-searches/${id}`, { token: bob.token })).body.error?.code).toBe(
      "RES001",
    );
    expect((await call("DELETE", `/api/v1/saved-searches/${id}`, { token: alice.token })).body.data).toEqual({
      id,
      deleted: true,
    });
    expect((await call("GET", `/api/v1/saved-searches/${id}/results`, { token: alice.token })).body.error?.code).toBe(
      "RES001",
    );
  });

  it("rejects empty or invalid queries (VAL001)", async () => {
    for (const body of [
      { name: "x", query: {} },
      { name: "", query: { q: "a" } },
      { name: "x", query: { status: "nope" } },
    ]) {
      expect((await call("POST", "/api/v1/saved-searches", { token: alice.token, body })).body.error?.code).toBe(
        "VAL001",
      );
    }
    expect(
      (await call("POST", "/api/v1/saved-searches", { body: { name: "x", query: { q: "a" } } })).body.error?.code,
    ).toBe("AUTH004");
  });
});

import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { actor, team, type Actor } from "../helpers/contract-fixtures";

const draft = (overrides: Record<string, unknown> = {}) => ({
  title: "Website redesign",
  type: "services",
  description: "Redesign of the marketing site",
  body: "The freelancer redesigns the site.",
  value: { amount: 250_000_00, currency: "NGN" },
  tags: ["Design", "web", "design"],
  category: "services",
  signers: [
    { email: "Client@Example.com", name: "Client", role: "signer", order: 1 },
    { email: "approver@example.com", name: "Boss", role: "approver", order: 1 },
  ],
  ...overrides,
});

let owner: Actor;
let stranger: Actor;

beforeAll(async () => {
  owner = await actor();
  stranger = await actor();
});

describe("POST /contracts", () => {
  it("creates a draft with signers, normalised tags and integer money, projected to D1", async () => {
    const res = await call("POST", "/api/v1/contracts", { token: owner.token, body: draft() });
    expect(res.status).toBe(201);
    const c = res.body.data;
    expect(c.id).toMatch(/^ctr_[0-9A-Za-z]{20}$/);
    expect(c).toMatchObject({
      status: "draft",
      version: 1,
      ownerId: owner.userId,
      value: { amount: 25_000_000, currency: "NGN" },
      tags: ["design", "web"],
      documentHash: null,
    });
    expect(c.signers.map((s: any) => [s.email, s.role, s.status])).toEqual([
      ["client@example.com", "signer", "waiting"],
      ["approver@example.com", "approver", "waiting"],
    ]);
    const row = await env.DB.prepare("SELECT status, version, value_amount, revision FROM contracts WHERE id = ?")
      .bind(c.id)
      .first();
    expect(row).toEqual({ status: "draft", version: 1, value_amount: 25_000_000, revision: 1 });
    const got = await call("GET", `/api/v1/contracts/${c.id}`, { token: owner.token });
    expect(got.status).toBe(200);
    expect(got.body.data).toEqual(c);
  });

  it("refuses invalid input with VAL001 and no contract is created", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM contracts").first<{ n: number }>();
    const cases = [
      { body: draft({ title: "" }), path: "title" },
      { body: draft({ value: { amount: 10.5, currency: "NGN" } }), path: "value.amount" },
      { body: draft({ value: { amount: 100, currency: "naira" } }), path: "value.currency" },
      { body: draft({ signers: [{ email: "not-an-email", name: "X" }] }), path: "signers.0.email" },
      { body: draft({ signers: [{ email: "a@example.com", name: "A", order: 0 }] }), path: "signers.0.order" },
      { body: draft({ signers: [{ email: "a@example.com", name: "A", role: "boss" }] }), path: "signers.0.role" },
      {
        body: draft({
          signers: [
            { email: "a@example.com", name: "A" },
            { email: "A@example.com", name: "B" },
          ],
        }),
        path: "signers.1.email",
      },
      { body: draft({ expiresAt: "2020-01-01T00:00:00.000Z" }), path: "expiresAt" },
      { body: draft({ templateId: "tpl_StarterNDA0000000000" }), path: "body" },
    ];
    for (const { body, path } of cases) {
      const res = await call("POST", "/api/v1/contracts", { token: owner.token, body });
      expect(res.status, path).toBe(400);
      expect(res.body.error?.code).toBe("VAL001");
      expect(res.body.error?.details.map((d: any) => d.path)).toContain(path);
    }
    const after = await env.DB.prepare("SELECT count(*) AS n FROM contracts").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("replays a create sent twice with the same Idempotency-Key: one contract", async () => {
    const key = `create-${Date.now()}`;
    const body = draft({ title: `Idempotent ${key}` });
    const first = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body,
      headers: { "idempotency-key": key },
    });
    const second = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body,
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body.data.id).toBe(first.body.data.id);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM contracts WHERE title = ?")
      .bind(`Idempotent ${key}`)
      .first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });

  it("requires authentication and the write scope", async () => {
    expect((await call("POST", "/api/v1/contracts", { body: draft() })).body.error?.code).toBe("AUTH004");
    const viewer = await actor({ role: "viewer" });
    const res = await call("POST", "/api/v1/contracts", { token: viewer.token, body: draft() });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe("AUTH003");
  });

  it("creates team contracts only for members of that team", async () => {
    const viewerMember = await actor();
    const teamId = await team([
      { actor: owner, role: "owner" },
      { actor: viewerMember, role: "viewer" },
    ]);
    const ok = await call("POST", "/api/v1/contracts", { token: owner.token, body: draft({ teamId }) });
    expect(ok.status).toBe(201);
    expect(ok.body.data.teamId).toBe(teamId);
    expect(
      (await call("POST", "/api/v1/contracts", { token: stranger.token, body: draft({ teamId }) })).body.error?.code,
    ).toBe("RES001");
    expect(
      (await call("POST", "/api/v1/contracts", { token: viewerMember.token, body: draft({ teamId }) })).body.error
        ?.code,
    ).toBe("AUTH003");
  });
});

describe("GET/PATCH/DELETE /contracts/:id", () => {
  it("edits a draft: each PATCH is a new version, listed by GET /versions", async () => {
    const { body } = await call("POST", "/api/v1/contracts", { token: owner.token, body: draft() });
    const id = body.data.id;
    const p1 = await call("PATCH", `/api/v1/contracts/${id}`, {
      token: owner.token,
      body: { title: "Redesign v2", value: null },
    });
    expect(p1.status).toBe(200);
    expect(p1.body.data).toMatchObject({ title: "Redesign v2", version: 2, value: null });
    const p2 = await call("PATCH", `/api/v1/contracts/${id}`, {
      token: owner.token,
      body: { tags: ["Urgent"], category: null },
    });
    expect(p2.body.data).toMatchObject({ version: 3, tags: ["urgent"], category: null, title: "Redesign v2" });

    const versions = await call("GET", `/api/v1/contracts/${id}/versions`, { token: owner.token });
    expect(versions.status).toBe(200);
    expect(versions.body.data.map((v: any) => [v.version, v.title])).toEqual([
      [1, "Website redesign"],
      [2, "Redesign v2"],
      [3, "Redesign v2"],
    ]);
    expect(versions.body.data[0].value).toEqual({ amount: 25_000_000, currency: "NGN" });
    const got = await call("GET", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(got.body.data).toEqual(p2.body.data);
  });

  it("refuses an empty or invalid PATCH with VAL001 and leaves the version alone", async () => {
    const { body } = await call("POST", "/api/v1/contracts", { token: owner.token, body: draft() });
    const id = body.data.id;
    for (const patch of [{}, { title: "" }, { value: { amount: -1, currency: "NGN" } }, { expiresAt: "yesterday" }]) {
      const res = await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: patch });
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe("VAL001");
    }
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data.version).toBe(1);
    expect((await call("GET", "/api/v1/contracts/ctr_nope", { token: owner.token })).body.error?.code).toBe("VAL001");
  });

  it("hides a contract from strangers (RES001) and refuses edits by a party who may only view (AUTH003)", async () => {
    const party = await actor({ email: `party-${Date.now()}@example.com` });
    const { body } = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: draft({ signers: [{ email: party.email, name: "Party" }] }),
    });
    const id = body.data.id;
    for (const [method, path] of [
      ["GET", `/api/v1/contracts/${id}`],
      ["PATCH", `/api/v1/contracts/${id}`],
      ["DELETE", `/api/v1/contracts/${id}`],
      ["GET", `/api/v1/contracts/${id}/versions`],
      ["GET", `/api/v1/contracts/${id}/audit`],
    ] as const) {
      const res = await call(method, path, {
        token: stranger.token,
        ...(method === "PATCH" ? { body: { title: "x" } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error?.code).toBe("RES001");
    }
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: party.token })).status).toBe(200);
    const edit = await call("PATCH", `/api/v1/contracts/${id}`, { token: party.token, body: { title: "mine now" } });
    expect(edit.status).toBe(403);
    expect(edit.body.error?.code).toBe("AUTH003");
    expect((await call("DELETE", `/api/v1/contracts/${id}`, { token: party.token })).body.error?.code).toBe("AUTH003");
  });

  it("deletes a draft (owner only): gone from D1, reads answer RES001, the room refuses further commands", async () => {
    const { body } = await call("POST", "/api/v1/contracts", { token: owner.token, body: draft() });
    const id = body.data.id;
    const res = await call("DELETE", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id, deleted: true });
    expect(await env.DB.prepare("SELECT id FROM contracts WHERE id = ?").bind(id).first()).toBeNull();
    expect(await env.DB.prepare("SELECT id FROM contract_signers WHERE contract_id = ?").bind(id).first()).toBeNull();
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.error?.code).toBe("RES001");
    expect((await call("DELETE", `/api/v1/contracts/${id}`, { token: owner.token })).body.error?.code).toBe("RES001");
  });
});

describe("GET /contracts", () => {
  it("lists only what the caller may see, with filters and pagination", async () => {
    const alice = await actor();
    const bob = await actor();
    const carol = await actor();
    const teamId = await team([
      { actor: alice, role: "owner" },
      { actor: carol, role: "viewer" },
    ]);
    const mk = async (who: Actor, body: Record<string, unknown>) =>
      (await call("POST", "/api/v1/contracts", { token: who.token, body: draft(body) })).body.data.id as string;
    const a1 = await mk(alice, { title: "Alpha lease", type: "lease", tags: ["property"], signers: [] });
    const a2 = await mk(alice, { title: "Beta NDA", type: "nda", teamId, signers: [] });
    const b1 = await mk(bob, { title: "Gamma deal", type: "sale", signers: [{ email: carol.email, name: "Carol" }] });
    await mk(bob, { title: "Private to Bob", type: "sale", signers: [] });

    const ids = async (who: Actor, query = "") =>
      (await call("GET", `/api/v1/contracts${query}`, { token: who.token })).body.data.map((c: any) => c.id).sort();
    expect(await ids(alice)).toEqual([a1, a2].sort());
    expect(await ids(carol)).toEqual([a2, b1].sort()); // team viewer + party
    expect(await ids(alice, "?type=lease")).toEqual([a1]);
    expect(await ids(alice, "?tag=Property")).toEqual([a1]);
    expect(await ids(alice, "?q=nda")).toEqual([a2]);
    expect(await ids(alice, "?status=cancelled")).toEqual([]);

    const page = await call("GET", "/api/v1/contracts?perPage=1&page=2", { token: alice.token });
    expect(page.status).toBe(200);
    expect(page.body.pagination).toEqual({ total: 2, page: 2, perPage: 1, totalPages: 2 });
    expect(page.body.links.prev).toContain("page=1");
    expect(page.body.data).toHaveLength(1);

    const admin = await actor({ role: "admin" });
    expect(await ids(admin)).toEqual(expect.arrayContaining([a1, a2, b1]));
  });

  it("rejects bad filters (VAL001) and anonymous callers (AUTH004)", async () => {
    expect((await call("GET", "/api/v1/contracts?status=bogus", { token: owner.token })).body.error?.code).toBe(
      "VAL001",
    );
    expect((await call("GET", "/api/v1/contracts?perPage=500", { token: owner.token })).body.error?.code).toBe(
      "VAL001",
    );
    expect((await call("GET", "/api/v1/contracts")).body.error?.code).toBe("AUTH004");
  });

  it("does not match parties by an unverified email", async () => {
    const victimEmail = `victim-${Date.now()}@example.com`;
    await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: draft({ signers: [{ email: victimEmail, name: "V" }] }),
    });
    const squatter = await actor({ email: victimEmail, verified: false });
    const res = await call("GET", "/api/v1/contracts", { token: squatter.token });
    expect(res.body.data).toEqual([]);
  });
});

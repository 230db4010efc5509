import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { actor, team, type Actor } from "../helpers/contract-fixtures";

const NDA = "tpl_StarterNDA0000000000";
const definition = (overrides: Record<string, unknown> = {}) => ({
  name: "Consulting retainer",
  contractType: "services",
  category: "services",
  body: "{{client}} retains {{consultant}} for {{hours}} hours a month.",
  variables: [
    { name: "client", label: "Client", required: true },
    { name: "consultant", required: true },
    { name: "hours", default: "10" },
  ],
  ...overrides,
});

let owner: Actor;
let stranger: Actor;
beforeAll(async () => {
  owner = await actor();
  stranger = await actor();
});

describe("starter templates", () => {
  it("are listed for everyone and read-only", async () => {
    const res = await call("GET", "/api/v1/templates?starter=true", { token: stranger.token });
    expect(res.status).toBe(200);
    expect(res.body.data.map((t: any) => t.name).sort()).toEqual([
      // Issue 14.5 adds the escrow's own agreement to the starters.
      "Escrow sale agreement",
      "Freelance services agreement",
      "Mutual non-disclosure agreement",
      "Sale of goods agreement",
    ]);
    const put = await call("PUT", `/api/v1/templates/${NDA}`, { token: stranger.token, body: definition() });
    expect(put.status).toBe(403);
    expect(put.body.error?.code).toBe("AUTH003");
  });
});

describe("POST/GET/PUT /templates", () => {
  it("creates, reads, and versions a template on each PUT", async () => {
    const created = await call("POST", "/api/v1/templates", { token: owner.token, body: definition() });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({ version: 1, ownerId: owner.userId, starter: false, teamId: null });
    const put = await call("PUT", `/api/v1/templates/${id}`, {
      token: owner.token,
      body: definition({ name: "Retainer v2", body: "{{client}} and {{consultant}}." }),
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ version: 2, name: "Retainer v2" });
    const versions = await call("GET", `/api/v1/templates/${id}/versions`, { token: owner.token });
    expect(versions.body.data.map((v: any) => [v.version, v.name])).toEqual([
      [1, "Consulting retainer"],
      [2, "Retainer v2"],
    ]);
    expect((await call("GET", `/api/v1/templates/${id}`, { token: owner.token })).body.data.version).toBe(2);
  });

  it("refuses undeclared placeholders and bad variable names (VAL001)", async () => {
    const a = await call("POST", "/api/v1/templates", {
      token: owner.token,
      body: definition({ body: "{{client}} {{mystery}}" }),
    });
    expect(a.status).toBe(400);
    expect(a.body.error?.details).toEqual([
      { path: "body", message: "placeholder {{mystery}} is not a declared variable" },
    ]);
    const b = await call("POST", "/api/v1/templates", {
      token: owner.token,
      body: definition({ variables: [{ name: "9lives" }] }),
    });
    expect(b.body.error?.code).toBe("VAL001");
    expect(
      (await call("POST", "/api/v1/templates", { token: owner.token, body: { name: "x" } })).body.error?.code,
    ).toBe("VAL001");
  });

  it("hides private templates from others (RES001) and shares them with a team: members edit, viewers read", async () => {
    const member = await actor();
    const viewer = await actor();
    const teamId = await team([
      { actor: owner, role: "owner" },
      { actor: member, role: "member" },
      { actor: viewer, role: "viewer" },
    ]);
    const priv = (await call("POST", "/api/v1/templates", { token: owner.token, body: definition() })).body.data.id;
    expect((await call("GET", `/api/v1/templates/${priv}`, { token: stranger.token })).body.error?.code).toBe("RES001");
    expect(
      (await call("PUT", `/api/v1/templates/${priv}`, { token: stranger.token, body: definition() })).body.error?.code,
    ).toBe("RES001");
    const listed = (await call("GET", "/api/v1/templates?starter=false", { token: stranger.token })).body.data;
    expect(listed.map((t: any) => t.id)).not.toContain(priv);

    const shared = (await call("POST", "/api/v1/templates", { token: owner.token, body: definition({ teamId }) })).body
      .data.id;
    expect((await call("GET", `/api/v1/templates/${shared}`, { token: viewer.token })).status).toBe(200);
    expect(
      (await call("PUT", `/api/v1/templates/${shared}`, { token: viewer.token, body: definition() })).body.error?.code,
    ).toBe("AUTH003");
    const edit = await call("PUT", `/api/v1/templates/${shared}`, {
      token: member.token,
      body: definition({ name: "Team edit" }),
    });
    expect(edit.body.data).toMatchObject({ version: 2, name: "Team edit", teamId });
    const unshare = await call("PUT", `/api/v1/templates/${shared}`, {
      token: member.token,
      body: definition({ teamId: null }),
    });
    expect(unshare.body.error?.code).toBe("AUTH003");
    expect((await call("GET", "/api/v1/templates")).body.error?.code).toBe("AUTH004");
  });
});

describe("POST /contracts from a template", () => {
  it("renders the body with given variables and defaults, recording the template version", async () => {
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "NDA with Acme",
        type: "nda",
        templateId: NDA,
        variables: { disclosingParty: "Escra Ltd", receivingParty: "Acme", purpose: "a pilot" },
      },
    });
    expect(res.status).toBe(201);
    const c = res.body.data;
    expect(c).toMatchObject({ templateId: NDA, templateVersion: 1 });
    expect(c.body).toContain("between Escra Ltd and Acme");
    expect(c.body).toContain("last 24 months");
    expect(c.body).not.toContain("{{");
    expect(c.variables).toMatchObject({ termMonths: "24", purpose: "a pilot" });
  });

  it("takes the contract type from the template when none is given", async () => {
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Sale",
        templateId: "tpl_StarterSaleOfGoods00",
        variables: { sellerName: "S", buyerName: "B", goods: "cement", price: "NGN 10", deliveryAddress: "Lagos" },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.type).toBe("sale");
    const noType = await call("POST", "/api/v1/contracts", { token: owner.token, body: { title: "No type" } });
    expect(noType.body.error?.details.map((d: any) => d.path)).toContain("type");
  });

  it("names missing required variables (VAL001) and creates nothing", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM contracts").first<{ n: number }>();
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "NDA", type: "nda", templateId: NDA, variables: { purpose: "x" } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toBe("Missing required variables: disclosingParty, receivingParty");
    expect(res.body.error?.details.map((d: any) => d.path)).toEqual([
      "variables.disclosingParty",
      "variables.receivingParty",
    ]);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM contracts").first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });

  it("refuses a template the caller may not see (RES001)", async () => {
    const priv = (await call("POST", "/api/v1/templates", { token: owner.token, body: definition() })).body.data.id;
    const res = await call("POST", "/api/v1/contracts", {
      token: stranger.token,
      body: { title: "x", type: "services", templateId: priv, variables: { client: "a", consultant: "b" } },
    });
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe("RES001");
  });
});

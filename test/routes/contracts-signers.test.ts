import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { contractRoom } from "../../durable-objects/contract-room";

let owner: Actor;
let other: Actor;
let id: string;

beforeAll(async () => {
  owner = await actor();
  other = await actor();
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Lease", type: "lease", signers: [{ email: "a@example.com", name: "A" }] },
  });
  id = res.body.data.id;
});

describe("POST /contracts/:id/signers", () => {
  it("adds a signer with role and order, visible on the contract and in D1", async () => {
    const res = await call("POST", `/api/v1/contracts/${id}/signers`, {
      token: owner.token,
      body: { email: "B@Example.com", name: "B", role: "approver", order: 2 },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ email: "b@example.com", role: "approver", order: 2, status: "waiting" });
    expect(res.body.data.id).toMatch(/^sig_/);
    const row = await env.DB.prepare('SELECT email, role, "order" AS o FROM contract_signers WHERE id = ?')
      .bind(res.body.data.id)
      .first();
    expect(row).toEqual({ email: "b@example.com", role: "approver", o: 2 });
    const contract = (await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data;
    expect(contract.signers.map((s: any) => s.email)).toEqual(["a@example.com", "b@example.com"]);
  });

  it("refuses a duplicate email (RES002) and invalid input (VAL001)", async () => {
    const dup = await call("POST", `/api/v1/contracts/${id}/signers`, {
      token: owner.token,
      body: { email: "A@example.com", name: "A2" },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error?.code).toBe("RES002");
    for (const body of [
      { email: "nope", name: "X" },
      { email: "x@example.com", name: "" },
      { email: "x@example.com", name: "X", order: 1.5 },
      { email: "x@example.com", name: "X", role: "witness" },
    ]) {
      const res = await call("POST", `/api/v1/contracts/${id}/signers`, { token: owner.token, body });
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe("VAL001");
    }
  });

  it("refuses callers who may not edit (RES001 for strangers) and any non-draft (RES002)", async () => {
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/signers`, {
          token: other.token,
          body: { email: "z@example.com", name: "Z" },
        })
      ).body.error?.code,
    ).toBe("RES001");
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Cancelled one", type: "lease" },
    });
    await contractRoom(env, res.body.data.id).cancel(owner.userId, "test");
    const late = await call("POST", `/api/v1/contracts/${res.body.data.id}/signers`, {
      token: owner.token,
      body: { email: "z@example.com", name: "Z" },
    });
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe("RES002");
    const patch = await call("PATCH", `/api/v1/contracts/${res.body.data.id}`, {
      token: owner.token,
      body: { title: "x" },
    });
    expect(patch.body.error?.code).toBe("RES002");
  });
});

describe("DELETE /contracts/:id/signers/:signerId", () => {
  it("removes a signer; unknown ids are RES001, strangers RES001, bad ids VAL001", async () => {
    const contract = (await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data;
    const signerId = contract.signers[0].id;
    expect(
      (await call("DELETE", `/api/v1/contracts/${id}/signers/${signerId}`, { token: other.token })).body.error?.code,
    ).toBe("RES001");
    const res = await call("DELETE", `/api/v1/contracts/${id}/signers/${signerId}`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: signerId, deleted: true });
    expect(await env.DB.prepare("SELECT id FROM contract_signers WHERE id = ?").bind(signerId).first()).toBeNull();
    expect(
      (await call("DELETE", `/api/v1/contracts/${id}/signers/${signerId}`, { token: owner.token })).body.error?.code,
    ).toBe("RES001");
    expect((await call("DELETE", `/api/v1/contracts/${id}/signers/bad`, { token: owner.token })).body.error?.code).toBe(
      "VAL001",
    );
  });
});

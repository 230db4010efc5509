import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { waitForEmail } from "../helpers/mailbox";

let owner: Actor;
let reader: Actor;
let editor: Actor;
let stranger: Actor;
const newContract = async (who: Actor, title = "Shared deal") =>
  (await call("POST", "/api/v1/contracts", { token: who.token, body: { title, type: "sale", body: "Terms." } })).body
    .data.id as string;

beforeAll(async () => {
  [owner, reader, editor, stranger] = await Promise.all([actor(), actor(), actor(), actor()]);
});

describe("POST /contracts/:id/share and revoke", () => {
  it("grants view or edit by email, lists shares, and revoking takes access away (RES001 again)", async () => {
    const id = await newContract(owner);
    const view = await call("POST", `/api/v1/contracts/${id}/share`, {
      token: owner.token,
      body: { email: reader.email.toUpperCase(), permission: "view" },
    });
    expect(view.status).toBe(201);
    expect(view.body.data).toMatchObject({ email: reader.email, userId: reader.userId, permission: "view" });
    const edit = await call("POST", `/api/v1/contracts/${id}/share`, {
      token: owner.token,
      body: { email: editor.email, permission: "edit" },
    });
    expect(edit.status).toBe(201);

    expect((await call("GET", `/api/v1/contracts/${id}`, { token: reader.token })).status).toBe(200);
    expect(
      (await call("PATCH", `/api/v1/contracts/${id}`, { token: reader.token, body: { title: "x" } })).body.error?.code,
    ).toBe("AUTH003");
    expect(
      (await call("PATCH", `/api/v1/contracts/${id}`, { token: editor.token, body: { title: "Edited by editor" } }))
        .status,
    ).toBe(200);
    expect((await call("GET", "/api/v1/contracts", { token: reader.token })).body.data.map((c: any) => c.id)).toEqual([
      id,
    ]);
    // Editors may edit but not share or delete.
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: editor.token,
          body: { email: stranger.email, permission: "view" },
        })
      ).body.error?.code,
    ).toBe("AUTH003");

    const shares = await call("GET", `/api/v1/contracts/${id}/shares`, { token: owner.token });
    expect(shares.body.data.map((s: any) => [s.email, s.permission]).sort()).toEqual(
      [
        [editor.email, "edit"],
        [reader.email, "view"],
      ].sort(),
    );

    const revoke = await call("DELETE", `/api/v1/contracts/${id}/share/${view.body.data.id}`, { token: owner.token });
    expect(revoke.body.data).toEqual({ id: view.body.data.id, revoked: true });
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: reader.token })).body.error?.code).toBe("RES001");
    expect(
      (await call("DELETE", `/api/v1/contracts/${id}/share/${view.body.data.id}`, { token: owner.token })).body.error
        ?.code,
    ).toBe("RES001");

    const audit = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body.data.map(
      (e: any) => e.type,
    );
    expect(audit).toEqual([
      "contract.created",
      "contract.shared",
      "contract.shared",
      "contract.updated",
      "contract.share_revoked",
    ]);
  });

  it("shares with an email that has no account yet; the person sees it once registered and verified", async () => {
    const id = await newContract(owner);
    const email = `later-${Date.now()}@example.com`;
    const res = await call("POST", `/api/v1/contracts/${id}/share`, {
      token: owner.token,
      body: { email, permission: "view" },
    });
    expect(res.body.data.userId).toBeNull();
    const mail = await waitForEmail({ to: email, subject: "shared" });
    expect(mail.subject).toContain('"Shared deal"');
    expect(mail.text).toContain(`/contracts/${id}`);
    const newcomer = await actor({ email });
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: newcomer.token })).status).toBe(200);
  });

  it("refuses invalid input (VAL001), sharing with yourself (RES002) and strangers (RES001)", async () => {
    const id = await newContract(owner);
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: owner.token,
          body: { email: "nope", permission: "view" },
        })
      ).body.error?.code,
    ).toBe("VAL001");
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: owner.token,
          body: { email: reader.email, permission: "admin" },
        })
      ).body.error?.code,
    ).toBe("VAL001");
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: owner.token,
          body: { email: owner.email, permission: "view" },
        })
      ).body.error?.code,
    ).toBe("RES002");
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/share`, {
          token: stranger.token,
          body: { email: stranger.email, permission: "edit" },
        })
      ).body.error?.code,
    ).toBe("RES001");
    expect((await call("GET", `/api/v1/contracts/${id}/shares`, { token: stranger.token })).body.error?.code).toBe(
      "RES001",
    );
  });
});

describe("POST /contracts/bulk", () => {
  it("applies the action per id with its own result: rights and state are checked one by one", async () => {
    const mine1 = await newContract(owner, "Bulk one");
    const mine2 = await newContract(owner, "Bulk two");
    const theirs = await newContract(stranger, "Not yours");
    const cancelled = await call("POST", "/api/v1/contracts/bulk", {
      token: owner.token,
      body: { action: "cancel", ids: [mine1, theirs], reason: "deal off" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.results).toEqual([
      { id: mine1, ok: true, status: "cancelled" },
      { id: theirs, ok: false, error: { code: "RES001", message: "Contract not found" } },
    ]);
    expect(
      await env.DB.prepare("SELECT status, cancel_reason FROM contracts WHERE id = ?").bind(mine1).first(),
    ).toEqual({ status: "cancelled", cancel_reason: "deal off" });

    const tagged = await call("POST", "/api/v1/contracts/bulk", {
      token: owner.token,
      body: { action: "tag", ids: [mine1, mine2], tags: ["Q4", "bulk"] },
    });
    expect(tagged.body.data.results.every((r: any) => r.ok)).toBe(true);
    expect((await call("GET", `/api/v1/contracts/${mine2}`, { token: owner.token })).body.data.tags).toEqual([
      "q4",
      "bulk",
    ]);

    // A cancelled contract is no longer a draft: deleting it is refused, the draft beside it goes.
    const deleted = await call("POST", "/api/v1/contracts/bulk", {
      token: owner.token,
      body: { action: "delete", ids: [mine1, mine2] },
    });
    expect(deleted.body.data.results.map((r: any) => [r.id, r.ok, r.error?.code ?? r.status])).toEqual([
      [mine1, false, "RES002"],
      [mine2, true, "deleted"],
    ]);
    expect(await env.DB.prepare("SELECT status FROM contracts WHERE id = ?").bind(theirs).first()).toEqual({
      status: "draft",
    });
  });

  it("refuses invalid requests (VAL001) and anonymous callers (AUTH004)", async () => {
    const id = await newContract(owner);
    for (const body of [
      { action: "burn", ids: [id] },
      { action: "tag", ids: [id] },
      { action: "cancel", ids: [] },
      { action: "cancel", ids: [id, id] },
      { action: "cancel", ids: ["x"] },
    ]) {
      expect((await call("POST", "/api/v1/contracts/bulk", { token: owner.token, body })).body.error?.code).toBe(
        "VAL001",
      );
    }
    expect(
      (await call("POST", "/api/v1/contracts/bulk", { body: { action: "cancel", ids: [id] } })).body.error?.code,
    ).toBe("AUTH004");
  });
});

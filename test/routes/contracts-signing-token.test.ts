// The signing token's exact reach (issue 13.3, API.md): one party of one contract may read the signer view, the
// document and — once executed — the certificate, and sign, approve or decline; every other contract and route
// refuses it. The OpenAPI document names X-Signing-Token on exactly those operations.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { issueSigningToken } from "../../src/lib/signing-token";
import { CONSENT_TEXT, CONSENT_VERSION } from "../../src/domain/consent";

let owner: Actor;
let member: Actor;
const outsider = () => `ext-${crypto.randomUUID().slice(0, 8)}@example.com`;
const typed = (name: string) => ({ signature: { type: "typed", value: name, font: "caveat" }, consent: true });

/** A sent contract with two external parties signing in order 1 and 2; their ids and tokens. */
async function sentContract() {
  const [aEmail, bEmail] = [outsider(), outsider()];
  const created = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: {
      title: "Consulting agreement",
      type: "services",
      body: "The consultant advises.",
      signers: [
        { email: aEmail, name: "Ada", order: 1 },
        { email: bEmail, name: "Bo", order: 2 },
      ],
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  const sent = await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
  expect(sent.status).toBe(200);
  const idOf = (email: string) =>
    (sent.body.data.signers as { id: string; email: string }[]).find((s) => s.email === email)!.id;
  const a = { id: idOf(aEmail), token: issueSigningToken(env, id, idOf(aEmail)) };
  const b = { id: idOf(bEmail), token: issueSigningToken(env, id, idOf(bEmail)) };
  return { id, a, b, documentHash: sent.body.data.documentHash as string };
}

const withToken = (token: string, extra: Record<string, string> = {}) => ({
  headers: { "x-signing-token": token, ...extra },
});

beforeAll(async () => {
  [owner, member] = await Promise.all([actor(), actor()]);
});

describe("what a signing token may read", () => {
  it("reads the signer view: title, body, parties and their status, its own record, whose turn, who asked", async () => {
    const { id, a, b } = await sentContract();
    const res = await call("GET", `/api/v1/contracts/${id}`, withToken(b.token));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id,
      title: "Consulting agreement",
      body: "The consultant advises.",
      status: "pending",
    });
    expect(res.body.data.signers.map((s: any) => [s.name, s.status])).toEqual([
      ["Ada", "notified"],
      ["Bo", "waiting"],
    ]);
    expect(res.body.data.party).toMatchObject({ signerId: b.id, role: "signer", status: "waiting", mayAct: false });
    expect(res.body.data.party.requestedBy.email).toBe(owner.email);
    const mine = await call("GET", `/api/v1/contracts/${id}`, withToken(a.token));
    expect(mine.body.data.party).toMatchObject({ signerId: a.id, mayAct: true });
  });

  it("serves the consent wording a signing page shows, with its version — the text the certificate quotes", async () => {
    const { id, a } = await sentContract();
    const res = await call("GET", `/api/v1/contracts/${id}`, withToken(a.token));
    expect(res.body.data.party.consent).toEqual({ version: CONSENT_VERSION, text: CONSENT_TEXT });
    expect(res.body.data.party.consent.text).toMatch(/ESIGN Act and the EU eIDAS Regulation/);
  });

  it("is the same wording GET /signing/consent serves anyone, without a credential (account signers' frontends)", async () => {
    const { id, a } = await sentContract();
    const view = await call("GET", `/api/v1/contracts/${id}`, withToken(a.token));
    const served = await call("GET", "/api/v1/signing/consent");
    expect(served.status).toBe(200);
    expect(served.body.data).toEqual(view.body.data.party.consent);
    // An account's credentials change nothing: one wording for everyone.
    expect((await call("GET", "/api/v1/signing/consent", { token: owner.token })).body.data).toEqual(served.body.data);
  });

  it("never shows another party's signature record (IP, user agent), only its own", async () => {
    const { id, a, b } = await sentContract();
    const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
      ...withToken(a.token, { "cf-connecting-ip": "203.0.113.9" }),
      body: typed("Ada"),
    });
    expect(signed.status).toBe(200);
    const asB = await call("GET", `/api/v1/contracts/${id}`, withToken(b.token));
    const ada = asB.body.data.signers.find((s: any) => s.id === a.id);
    expect(ada).toMatchObject({ status: "signed", signature: null });
    expect(JSON.stringify(asB.body)).not.toContain("203.0.113.9");
    const asA = await call("GET", `/api/v1/contracts/${id}`, withToken(a.token));
    expect(asA.body.data.signers.find((s: any) => s.id === a.id).signature.ip).toBe("203.0.113.9");
    expect(asA.body.data.party).toMatchObject({ status: "signed", mayAct: false });
  });

  it("downloads the frozen document", async () => {
    const { id, b, documentHash } = await sentContract();
    const res = await fetchWorker(`/api/v1/contracts/${id}/document`, withToken(b.token));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("x-document-sha256")).toBe(documentHash);
    expect(new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5))).toBe("%PDF-");
  });

  it("downloads the certificate and the executed document once the contract is executed, not before (RES002)", async () => {
    const { id, a, b } = await sentContract();
    for (const path of ["certificate", "executed-document"]) {
      const early = await call("GET", `/api/v1/contracts/${id}/${path}`, withToken(a.token));
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe("RES002");
    }
    expect(
      (await call("POST", `/api/v1/contracts/${id}/sign`, { ...withToken(a.token), body: typed("Ada") })).status,
    ).toBe(200);
    const done = await call("POST", `/api/v1/contracts/${id}/sign`, { ...withToken(b.token), body: typed("Bo") });
    expect(done.body.data.status).toBe("active");
    for (const token of [a.token, b.token]) {
      for (const path of ["certificate", "executed-document"]) {
        const res = await fetchWorker(`/api/v1/contracts/${id}/${path}`, withToken(token));
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("application/pdf");
      }
    }
  });
});

describe("what a signing token may not do", () => {
  it("is refused on another contract (AUTH002), even one the party is also on", async () => {
    const first = await sentContract();
    const second = await sentContract();
    for (const path of ["", "/document", "/certificate", "/executed-document"]) {
      const res = await call("GET", `/api/v1/contracts/${second.id}${path}`, withToken(first.a.token));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("AUTH002");
    }
    const sign = await call("POST", `/api/v1/contracts/${second.id}/sign`, {
      ...withToken(first.a.token),
      body: typed("Ada"),
    });
    expect(sign.body.error.code).toBe("AUTH002");
  });

  it("opens no other route: lists, audit, versions, attachments, edits, owner actions, sharing answer AUTH004", async () => {
    const { id, a } = await sentContract();
    const refused: [string, string, unknown?][] = [
      ["GET", "/api/v1/contracts"],
      ["GET", `/api/v1/contracts/${id}/audit`],
      ["GET", `/api/v1/contracts/${id}/versions`],
      ["GET", `/api/v1/contracts/${id}/attachments/att_00000000000000000000`],
      ["POST", `/api/v1/contracts/${id}/uploads`, { name: "x.pdf", contentType: "application/pdf", size: 10 }],
      ["GET", `/api/v1/contracts/${id}/shares`],
      ["PATCH", `/api/v1/contracts/${id}`, { title: "Mine now" }],
      ["DELETE", `/api/v1/contracts/${id}`],
      ["POST", `/api/v1/contracts/${id}/send`, {}],
      ["POST", `/api/v1/contracts/${id}/cancel`, { reason: "mine" }],
      ["POST", `/api/v1/contracts/${id}/complete`, {}],
      ["POST", `/api/v1/contracts/${id}/share`, { email: "x@example.com", permission: "edit" }],
      ["POST", `/api/v1/contracts/${id}/signers`, { email: "y@example.com", name: "Y" }],
      ["GET", "/api/v1/users/me"],
      ["GET", "/api/v1/escrows"],
    ];
    for (const [method, path, body] of refused) {
      const res = await call(method, path, { ...withToken(a.token), body });
      expect([res.status, res.body.error?.code], `${method} ${path}`).toEqual([401, "AUTH004"]);
    }
  });

  it("answers AUTH002 to an expired, tampered or foreign-secret token", async () => {
    const { id, a } = await sentContract();
    const expired = issueSigningToken(env, id, a.id, new Date(Date.now() - 73 * 3_600_000));
    const tampered = `${a.token.slice(0, -3)}AAA`;
    const otherKek = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))); // base64, 32 bytes
    const foreign = issueSigningToken({ VAULT_KEK: otherKek }, id, a.id);
    for (const token of [expired, tampered, foreign, "est1.x.y"]) {
      const res = await call("GET", `/api/v1/contracts/${id}`, withToken(token));
      expect(res.body.error.code).toBe("AUTH002");
    }
  });

  it("answers RES001 for a genuine token whose contract or party does not exist", async () => {
    const { id } = await sentContract();
    const ghostContract = issueSigningToken(env, "ctr_00000000000000000000", "sig_00000000000000000000");
    expect(
      (await call("GET", "/api/v1/contracts/ctr_00000000000000000000", withToken(ghostContract))).body.error.code,
    ).toBe("RES001");
    const ghostParty = issueSigningToken(env, id, "sig_00000000000000000000");
    for (const path of ["", "/document", "/certificate"]) {
      expect((await call("GET", `/api/v1/contracts/${id}${path}`, withToken(ghostParty))).body.error.code).toBe(
        "RES001",
      );
    }
  });

  it("answers VAL001 to a malformed contract id before looking at the token", async () => {
    const { a } = await sentContract();
    expect((await call("GET", "/api/v1/contracts/not-an-id", withToken(a.token))).body.error.code).toBe("VAL001");
  });

  it("leaves accounts as they were: a stranger is RES001, a party's account reads the full contract", async () => {
    const { id } = await sentContract();
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: member.token })).body.error.code).toBe("RES001");
    const asOwner = await call("GET", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(asOwner.status).toBe(200);
    expect(asOwner.body.data.party).toBeUndefined();
  });
});

describe("OpenAPI", () => {
  it("names X-Signing-Token as a security scheme on exactly the operations it may use", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json")).body as any;
    expect(doc.components.securitySchemes.signingToken).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "X-Signing-Token",
    });
    const withScheme: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if ((op.security ?? []).some((s: Record<string, unknown>) => "signingToken" in s))
          withScheme.push(`${method.toUpperCase()} ${path}`);
      }
    }
    const expected = [
      "GET /api/v1/contracts/{id}",
      "GET /api/v1/contracts/{id}/document",
      "GET /api/v1/contracts/{id}/certificate",
      "POST /api/v1/contracts/{id}/sign",
      "POST /api/v1/contracts/{id}/approve",
      "POST /api/v1/contracts/{id}/decline",
    ];
    if (doc.paths["/api/v1/contracts/{id}/executed-document"])
      expected.push("GET /api/v1/contracts/{id}/executed-document");
    expect(withScheme.sort()).toEqual(expected.sort());
  });
});

// Issue 14.2: the executed contract shows every party's signature on the page (typed in a handwriting face, or the
// drawn image), the owner as sender, signer ids and times; served at GET /contracts/:id/executed-document once the
// contract is active, with the same bytes on every request; the frozen pre-signing PDF and its hash are unchanged.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { sha256Hex } from "../../src/lib/crypto";

/** A real 1×1 PNG (the signature pad's output format). */
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

let owner: Actor;
let b: Actor;
let c: Actor;
let stranger: Actor;
beforeAll(async () => {
  [owner, b, c, stranger] = await Promise.all([actor(), actor(), actor(), actor()]);
});

const get = (id: string, token?: string) =>
  fetchWorker(`/api/v1/contracts/${id}/executed-document`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

async function pdftotext(pdf: ArrayBuffer): Promise<string> {
  const res = await fetch(`${env.PDF_TOOLS_URL}/pdftotext?layout=1`, { method: "POST", body: pdf });
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer()).replace(/[\u202a-\u202e]/g, "");
}

describe("GET /contracts/:id/executed-document", () => {
  it("carries a signature block per party and the owner, and never changes once rendered", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Design work",
        type: "services",
        body: "The Client shall pay \u20a62,500,000.",
        signers: [
          { email: b.email, name: "Chiamaka \u1eccn\u1ee5\u1ecdha", order: 1 },
          { email: c.email, name: "Dmitri Petrov", order: 2 },
        ],
      },
    });
    const id = created.body.data.id as string;
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    expect(
      (await call("GET", `/api/v1/contracts/${id}/executed-document`, { token: owner.token })).body.error.code,
    ).toBe("RES002");
    const frozenHash = (await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data.documentHash;

    await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "typed", value: "Chiamaka \u1eccn\u1ee5\u1ecdha" }, consent: true },
    });
    const done = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: c.token,
      body: { signature: { type: "drawn", value: PNG }, consent: true },
    });
    expect(done.body.data.status).toBe("active");
    const signers = done.body.data.signers as { id: string; email: string; signedAt: string }[];

    const res = await get(id, c.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const bytes = await res.arrayBuffer();
    expect(res.headers.get("x-document-sha256")).toBe(sha256Hex(new Uint8Array(bytes)));
    const text = await pdftotext(bytes);
    expect(text).toContain("Signatures");
    expect(text).toContain(`Sender:`);
    expect(text).toContain(owner.email);
    expect(text).toContain(`Chiamaka \u1eccn\u1ee5\u1ecdha <${b.email}> \u2014 signer`);
    expect(text).toContain(`Dmitri Petrov <${c.email}> \u2014 signer`);
    for (const s of signers) expect(text).toContain(`Signer ${s.id} \u2014 signed ${s.signedAt}`);
    expect(text).toContain(frozenHash);
    // The typed signature is drawn in the handwriting face (Dancing Script), the drawn one as an image.
    const fonts = new TextDecoder("latin1").decode(bytes);
    expect(fonts).toMatch(/DancingScript/);
    expect(fonts).toMatch(/\/Subtype \/Image/);

    // Kept: the same bytes again, and the frozen document and its hash untouched.
    expect(sha256Hex(new Uint8Array(await (await get(id, owner.token)).arrayBuffer()))).toBe(
      sha256Hex(new Uint8Array(bytes)),
    );
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data.documentHash).toBe(
      frozenHash,
    );
    const frozen = new Uint8Array(await (await env.DOCUMENTS.get(`contracts/${id}/document.pdf`))!.arrayBuffer());
    expect(sha256Hex(frozen)).toBe(frozenHash);
  });

  it("is RES001 for strangers and unknown ids, VAL001 for a bad id, AUTH004 anonymous", async () => {
    const id = (
      await call("POST", "/api/v1/contracts", { token: owner.token, body: { title: "X", type: "nda", body: "Y" } })
    ).body.data.id;
    expect(
      (await call("GET", `/api/v1/contracts/${id}/executed-document`, { token: stranger.token })).body.error.code,
    ).toBe("RES001");
    expect(
      (await call("GET", "/api/v1/contracts/ctr_00000000000000000000/executed-document", { token: owner.token })).body
        .error.code,
    ).toBe("RES001");
    expect(
      (await call("GET", "/api/v1/contracts/nope/executed-document", { token: owner.token })).body.error.code,
    ).toBe("VAL001");
    expect((await get(id)).status).toBe(401);
    expect(
      (await call("GET", `/api/v1/contracts/${id}/executed-document`, { token: owner.token })).body.error.code,
    ).toBe("RES002");
  });
});

// Contract files at the edges (issues 20.2, 20.6, 12.6): R2's part rules checked as parts arrive (VAL001 naming the
// part), files attach to drafts only and are refused before anything is stored, downloads keep their names.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "content-disposition";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";

const MiB = 1024 * 1024;
let owner: Actor;
let party: Actor;
let stranger: Actor;

function pdfBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  bytes.set(new TextEncoder().encode("%PDF-1.7\n"), 0);
  return bytes;
}

async function draft(): Promise<string> {
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Files", type: "sale", signers: [{ email: party.email, name: "P" }] },
  });
  return res.body.data.id;
}

async function startUpload(id: string, name = "scan.pdf"): Promise<string> {
  const res = await call("POST", `/api/v1/contracts/${id}/uploads`, { token: owner.token, body: { name } });
  expect(res.status).toBe(201);
  return res.body.data.uploadId;
}

const putPart = (id: string, uploadId: string, n: number, bytes: Uint8Array, token = owner.token) =>
  call("PUT", `/api/v1/contracts/${id}/uploads/${uploadId}/parts/${n}`, {
    token,
    raw: bytes,
    headers: { "content-type": "application/octet-stream" },
  });

beforeAll(async () => {
  [owner, party, stranger] = await Promise.all([actor(), actor(), actor()]);
});

describe("resumable upload part rules", () => {
  it("5 MiB + 1 KiB, 5 MiB, 100 B: the breaking part is refused on arrival (VAL001), not at complete", async () => {
    const id = await draft();
    const uploadId = await startUpload(id);
    const source = pdfBytes(5 * MiB + 1024);
    expect((await putPart(id, uploadId, 1, source)).status).toBe(200);
    expect((await putPart(id, uploadId, 2, new Uint8Array(5 * MiB))).status).toBe(200);
    const third = await putPart(id, uploadId, 3, new Uint8Array(100));
    expect(third.status).toBe(400);
    expect(third.body.error).toMatchObject({ code: "VAL001", details: [{ path: "partNumber", partNumber: 3 }] });
    expect(third.body.error.message).toMatch(/part 2/i);
    expect(third.body.error.message).toMatch(/same size/);
    // Completing what is stored (two parts, the last smaller) is fine… but part 2 is the last, so it is allowed.
    const done = await call("POST", `/api/v1/contracts/${id}/uploads/${uploadId}/complete`, { token: owner.token });
    expect(done.status).toBe(201);
    expect(done.body.data.size).toBe(10 * MiB + 1024);
  });

  it("a non-last part below 5 MiB or of another size is VAL001 naming it; the last may not be larger", async () => {
    const id = await draft();
    const uploadId = await startUpload(id);
    expect((await putPart(id, uploadId, 3, new Uint8Array(100))).status).toBe(200); // out of order: may be the last
    const small = await putPart(id, uploadId, 1, new Uint8Array(MiB));
    expect(small.body.error).toMatchObject({ code: "VAL001", details: [{ partNumber: 1 }] });
    expect(small.body.error.message).toMatch(/at least 5242880 bytes/);
    expect((await putPart(id, uploadId, 1, pdfBytes(5 * MiB))).status).toBe(200);
    const other = await putPart(id, uploadId, 2, new Uint8Array(5 * MiB + 1));
    expect(other.body.error).toMatchObject({ code: "VAL001", details: [{ partNumber: 2 }] });
    expect((await putPart(id, uploadId, 2, new Uint8Array(5 * MiB))).status).toBe(200);
    const bigLast = await putPart(id, uploadId, 4, new Uint8Array(5 * MiB + 10));
    expect(bigLast.body.error.code).toBe("VAL001");
    const stored = (await call("GET", `/api/v1/contracts/${id}/uploads/${uploadId}`, { token: owner.token })).body.data
      .parts;
    expect(stored.map((p: any) => [p.partNumber, p.size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
      [3, 100],
    ]);
    expect(
      (await call("POST", `/api/v1/contracts/${id}/uploads/${uploadId}/complete`, { token: owner.token })).status,
    ).toBe(201);
  });

  it("part routes: unknown upload RES001, stranger RES001, bad part number VAL001", async () => {
    const id = await draft();
    const uploadId = await startUpload(id);
    expect((await putPart(id, "att_00000000000000000000", 1, new Uint8Array(10))).body.error.code).toBe("RES001");
    expect((await putPart(id, uploadId, 1, new Uint8Array(10), stranger.token)).body.error.code).toBe("RES001");
    expect((await putPart(id, uploadId, 10_001, new Uint8Array(10))).body.error.code).toBe("VAL001");
  });

  it("the OpenAPI document states the part rules", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json")).body;
    const put = doc.paths["/api/v1/contracts/{id}/uploads/{uploadId}/parts/{partNumber}"].put;
    expect(put.description).toMatch(/same size.*5 MiB.*last part may be smaller but not larger/);
  });
});

describe("files attach to drafts only, decided before anything is stored", () => {
  it("a sent contract refuses a direct upload and a new resumable upload (RES002) and R2 is untouched", async () => {
    const id = await draft();
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    const f = new FormData();
    f.append("file", new File([pdfBytes(1000)], "late.pdf", { type: "application/pdf" }));
    expect(
      (await call("POST", `/api/v1/contracts/${id}/attachments`, { token: owner.token, raw: f })).body.error.code,
    ).toBe("RES002");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/uploads`, { token: owner.token, body: { name: "late.pdf" } })).body
        .error.code,
    ).toBe("RES002");
    expect((await env.DOCUMENTS.list({ prefix: `contracts/${id}/attachments/` })).objects).toEqual([]);
  });

  it("parts of an upload started on a draft are refused once it was sent (RES002)", async () => {
    const id = await draft();
    const uploadId = await startUpload(id);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    expect((await putPart(id, uploadId, 1, pdfBytes(100))).body.error.code).toBe("RES002");
  });
});

describe("downloads keep their names", () => {
  it("an attachment named résumé.pdf downloads with filename*=UTF-8'' and an ASCII fallback", async () => {
    const id = await draft();
    const f = new FormData();
    f.append("file", new File([pdfBytes(2000)], "résumé.pdf", { type: "application/pdf" }));
    const up = await call("POST", `/api/v1/contracts/${id}/attachments`, { token: owner.token, raw: f });
    expect(up.body.data.name).toBe("résumé.pdf");
    const res = await fetchWorker(`/api/v1/contracts/${id}/attachments/${up.body.data.id}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const header = res.headers.get("content-disposition")!;
    expect(header).toBe(`attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`);
    expect(parse(header).parameters.filename).toBe("résumé.pdf");
  });

  it("the contract document and certificate carry the contract's title the same way", async () => {
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Contrat de vente – Zoë", type: "sale", signers: [{ email: party.email, name: "P" }] },
    });
    const id = res.body.data.id;
    const doc = await fetchWorker(`/api/v1/contracts/${id}/document`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(parse(doc.headers.get("content-disposition")!)).toEqual({
      type: "inline",
      parameters: { filename: "Contrat de vente – Zoë.pdf" },
    });
    expect(doc.headers.get("content-disposition")).toContain(`filename="Contrat de vente _ Zoe.pdf"`);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: party.token,
      body: { signature: { type: "typed", value: "P" }, consent: true },
    });
    const cert = await fetchWorker(`/api/v1/contracts/${id}/certificate`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(parse(cert.headers.get("content-disposition")!).parameters.filename).toBe(
      "Contrat de vente – Zoë - certificate.pdf",
    );
  });
});

import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { contractRoom } from "../../durable-objects/contract-room";

const MiB = 1024 * 1024;
let owner: Actor;
let stranger: Actor;
let party: Actor;
let id: string;

const hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

function pdfBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  bytes.set(new TextEncoder().encode("%PDF-1.7\n"), 0);
  return bytes;
}

function form(bytes: Uint8Array, name = "terms.pdf", type = "application/pdf") {
  const f = new FormData();
  f.append("file", new File([bytes], name, { type }));
  return f;
}

beforeAll(async () => {
  owner = await actor();
  stranger = await actor();
  party = await actor();
  id = (
    await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "With files", type: "sale", signers: [{ email: party.email, name: "P" }] },
    })
  ).body.data.id;
});

describe("POST /contracts/:id/attachments", () => {
  it("stores the file in R2, records its SHA-256 on the contract, and streams it back with its type", async () => {
    const bytes = pdfBytes(50_000);
    const res = await call("POST", `/api/v1/contracts/${id}/attachments`, { token: owner.token, raw: form(bytes) });
    expect(res.status).toBe(201);
    const att = res.body.data;
    expect(att).toMatchObject({
      name: "terms.pdf",
      contentType: "application/pdf",
      size: 50_000,
      sha256: await hex(bytes),
    });
    const contract = (await call("GET", `/api/v1/contracts/${id}`, { token: party.token })).body.data;
    expect(contract.attachments).toEqual([att]);

    const download = await fetchWorker(`/api/v1/contracts/${id}/attachments/${att.id}`, {
      headers: { authorization: `Bearer ${party.token}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.headers.get("x-content-sha256")).toBe(att.sha256);
    expect(await hex(new Uint8Array(await download.arrayBuffer()))).toBe(att.sha256);
  });

  it("decides the type by magic bytes (a .pdf that is not a PDF is VAL004) and bounds the size (VAL003)", async () => {
    const fake = new TextEncoder().encode("#!/bin/sh\nrm -rf /\n");
    const res = await call("POST", `/api/v1/contracts/${id}/attachments`, {
      token: owner.token,
      raw: form(fake, "totally.pdf"),
    });
    expect(res.status).toBe(415);
    expect(res.body.error?.code).toBe("VAL004");
    const big = await call("POST", `/api/v1/contracts/${id}/attachments`, {
      token: owner.token,
      raw: form(pdfBytes(26 * MiB)),
    });
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe("VAL003");
    const none = await call("POST", `/api/v1/contracts/${id}/attachments`, { token: owner.token, raw: new FormData() });
    expect(none.body.error?.code).toBe("VAL001");
    const listed = await env.DOCUMENTS.list({ prefix: `contracts/${id}/` });
    expect(listed.objects).toHaveLength(1);
  });

  it("refuses strangers (RES001), view-only parties (AUTH003) and non-drafts (RES002, nothing left in R2)", async () => {
    expect(
      (await call("POST", `/api/v1/contracts/${id}/attachments`, { token: stranger.token, raw: form(pdfBytes(100)) }))
        .body.error?.code,
    ).toBe("RES001");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/attachments`, { token: party.token, raw: form(pdfBytes(100)) })).body
        .error?.code,
    ).toBe("AUTH003");
    const other = (
      await call("POST", "/api/v1/contracts", { token: owner.token, body: { title: "Closed", type: "sale" } })
    ).body.data.id;
    await contractRoom(env, other).cancel(owner.userId, null);
    const late = await call("POST", `/api/v1/contracts/${other}/attachments`, {
      token: owner.token,
      raw: form(pdfBytes(100)),
    });
    expect(late.body.error?.code).toBe("RES002");
    expect((await env.DOCUMENTS.list({ prefix: `contracts/${other}/` })).objects).toHaveLength(0);
    const missing = await call("GET", `/api/v1/contracts/${id}/attachments/att_00000000000000000000`, {
      token: owner.token,
    });
    expect(missing.body.error?.code).toBe("RES001");
    const att = (await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data.attachments[0];
    expect(
      (await call("GET", `/api/v1/contracts/${id}/attachments/${att.id}`, { token: stranger.token })).body.error?.code,
    ).toBe("RES001");
  });
});

describe("deleting a draft", () => {
  it("removes its files from R2 and aborts its unfinished uploads", async () => {
    const draftId = (
      await call("POST", "/api/v1/contracts", { token: owner.token, body: { title: "Short-lived", type: "sale" } })
    ).body.data.id;
    await call("POST", `/api/v1/contracts/${draftId}/attachments`, { token: owner.token, raw: form(pdfBytes(1000)) });
    const uploadId = (
      await call("POST", `/api/v1/contracts/${draftId}/uploads`, { token: owner.token, body: { name: "big.pdf" } })
    ).body.data.uploadId;
    expect((await env.DOCUMENTS.list({ prefix: `contracts/${draftId}/` })).objects).toHaveLength(1);
    expect((await call("DELETE", `/api/v1/contracts/${draftId}`, { token: owner.token })).status).toBe(200);
    expect((await env.DOCUMENTS.list({ prefix: `contracts/${draftId}/` })).objects).toHaveLength(0);
    const upload = await env.DB.prepare("SELECT completed_at FROM contract_uploads WHERE id = ?")
      .bind(uploadId)
      .first<{ completed_at: string | null }>();
    expect(upload?.completed_at).not.toBeNull();
  });
});

describe("resumable uploads", () => {
  it("survive an interruption: the client lists stored parts, sends the rest, and the SHA-256 matches the source", async () => {
    const source = pdfBytes(12 * MiB + 12345);
    const parts = [source.subarray(0, 5 * MiB), source.subarray(5 * MiB, 10 * MiB), source.subarray(10 * MiB)];
    const created = await call("POST", `/api/v1/contracts/${id}/uploads`, {
      token: owner.token,
      body: { name: "scan.pdf" },
    });
    expect(created.status).toBe(201);
    const uploadId = created.body.data.uploadId;
    const putPart = (n: number, bytes: Uint8Array) =>
      call("PUT", `/api/v1/contracts/${id}/uploads/${uploadId}/parts/${n}`, {
        token: owner.token,
        raw: bytes,
        headers: { "content-type": "application/octet-stream" },
      });
    expect((await putPart(1, parts[0]!)).status).toBe(200);
    // The connection drops while part 2 is in flight: the client only knows part 1 made it.
    const state = await call("GET", `/api/v1/contracts/${id}/uploads/${uploadId}`, { token: owner.token });
    expect(state.body.data.parts.map((p: any) => [p.partNumber, p.size])).toEqual([[1, 5 * MiB]]);
    // Resuming out of order is fine; completing with a gap is refused until the gap is filled.
    expect((await putPart(3, parts[2]!)).status).toBe(200);
    const gap = await call("POST", `/api/v1/contracts/${id}/uploads/${uploadId}/complete`, { token: owner.token });
    expect(gap.status).toBe(409);
    expect(gap.body.error?.details).toEqual({ missingPart: 2 });
    expect((await putPart(2, parts[1]!)).status).toBe(200);

    const done = await call("POST", `/api/v1/contracts/${id}/uploads/${uploadId}/complete`, { token: owner.token });
    expect(done.status).toBe(201);
    expect(done.body.data).toMatchObject({
      id: uploadId,
      name: "scan.pdf",
      contentType: "application/pdf",
      size: source.byteLength,
      sha256: await hex(source),
    });
    const download = await fetchWorker(`/api/v1/contracts/${id}/attachments/${uploadId}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(await hex(new Uint8Array(await download.arrayBuffer()))).toBe(await hex(source));
    expect(
      (await call("GET", `/api/v1/contracts/${id}/uploads/${uploadId}`, { token: owner.token })).body.error?.code,
    ).toBe("RES001");
  });

  it("refuse a disallowed type at completion (VAL004, object removed) and strangers (RES001)", async () => {
    const uploadId = (
      await call("POST", `/api/v1/contracts/${id}/uploads`, { token: owner.token, body: { name: "x.exe" } })
    ).body.data.uploadId;
    await call("PUT", `/api/v1/contracts/${id}/uploads/${uploadId}/parts/1`, {
      token: owner.token,
      raw: new TextEncoder().encode("MZ\x90\x00 not allowed"),
      headers: { "content-type": "application/octet-stream" },
    });
    const res = await call("POST", `/api/v1/contracts/${id}/uploads/${uploadId}/complete`, { token: owner.token });
    expect(res.body.error?.code).toBe("VAL004");
    expect(await env.DOCUMENTS.head(`contracts/${id}/attachments/${uploadId}`)).toBeNull();
    expect(
      (await call("POST", `/api/v1/contracts/${id}/uploads`, { token: stranger.token, body: { name: "x" } })).body.error
        ?.code,
    ).toBe("RES001");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/uploads`, { token: owner.token, body: { name: "" } })).body.error
        ?.code,
    ).toBe("VAL001");
    const up2 = (await call("POST", `/api/v1/contracts/${id}/uploads`, { token: owner.token, body: { name: "y" } }))
      .body.data.uploadId;
    const abort = await call("DELETE", `/api/v1/contracts/${id}/uploads/${up2}`, { token: owner.token });
    expect(abort.body.data).toEqual({ uploadId: up2, aborted: true });
  });
});

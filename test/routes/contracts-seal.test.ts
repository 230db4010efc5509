// Issue 14.4: the executed PDF and the certificate prove themselves. Both carry a PAdES baseline seal (CMS,
// ETSI.CAdES.detached) by the platform's sealing certificate with an RFC 3161 timestamp from a real TSA
// (`openssl ts -reply`, test/node/tsa.ts); poppler's pdfsig, an independent verifier, reports the signature valid,
// the whole document signed and the timestamp present, and reports the seal broken after one byte changes.
// The executed PDF is produced on activation (a queue effect) and the execution record anchored over its hash; a TSA
// that is down seals without a timestamp and a later pass re-seals, and only the final file gets the record.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";
import { executedWithRecord } from "../helpers/executed-document";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { sha256Hex } from "../../src/lib/crypto";
import { executedDocumentKey } from "../../src/lib/contract-pdf";
import { getExecutedDocument, sealIsFinal } from "../../src/services/contracts/get-executed-document";
import { keepSealed } from "../../src/lib/sealed-store";
import { PDFDocument } from "pdf-lib";

let owner: Actor;
let b: Actor;
beforeAll(async () => {
  [owner, b] = await Promise.all([actor(), actor()]);
});

/** The timestamp token as openssl reads it from the seal's CMS (RFC 3161 token with its TSTInfo). */
const TIMESTAMP = /id-smime-aa-timeStampToken[\s\S]*id-smime-ct-TSTInfo/;

/** pdfsig's report on a PDF, then openssl's print of the first signature's CMS (test/node/pdf-tools.ts). */
async function pdfsig(pdf: Uint8Array): Promise<string> {
  const res = await fetch(`${env.PDF_TOOLS_URL}/pdfsig`, { method: "POST", body: pdf });
  if (res.status === 503) throw new Error("pdfsig is missing: run scripts/system-deps.sh (poppler-utils)");
  expect(res.status).toBe(200);
  return res.text();
}

/** A contract signed by one party, so it is active. */
async function activeContract(title: string): Promise<string> {
  const created = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: {
      title,
      type: "services",
      body: "The Client shall pay \u20a62,500,000.",
      signers: [{ email: b.email, name: "Ngozi Eze" }],
    },
  });
  const id = created.body.data.id as string;
  expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
  const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
    token: b.token,
    body: { signature: { type: "typed", value: "Ngozi Eze" }, consent: true },
  });
  expect(signed.body.data.status).toBe("active");
  return id;
}

async function poll<T>(what: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("PAdES seal of the executed PDF and the certificate", () => {
  it("the executed PDF is produced on activation, sealed with a timestamp, and the execution record made over it", async () => {
    const id = await activeContract("Sealed on activation");
    // The contract.activated consumer (its own DOCUMENTS queue) stores it and records the execution unasked.
    const execution = await poll(async () => {
      const rows = await env.DB.prepare(
        "SELECT hash, executed_document_hash AS executed FROM anchor_records WHERE contract_id = ? AND kind = 'execution'",
      )
        .bind(id)
        .all<{ hash: string; executed: string }>();
      return rows.results[0];
    });
    const stored = (await env.DOCUMENTS.head(executedDocumentKey(id)))!;
    expect(stored.customMetadata?.seal).toBe("timestamped");

    const res = await fetchWorker(`/api/v1/contracts/${id}/executed-document`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-document-seal")).toBe("timestamped");
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(res.headers.get("x-document-sha256")).toBe(sha256Hex(pdf));
    expect(stored.customMetadata?.sha256).toBe(sha256Hex(pdf));

    const report = await pdfsig(pdf);
    expect(report).toContain("Signature Validation: Signature is Valid.");
    expect(report).toContain("Total document signed");
    expect(report).toMatch(/Signature Type: ETSI\.CAdES\.detached/);
    expect(report).toMatch(/Signer full Distinguished Name: .*CN=Escra development sealing/);
    expect(report).toMatch(TIMESTAMP);

    // Served file → its SHA-256 → the execution record naming it (the hash anchored), as the headers say.
    expect(execution.executed).toBe(`0x${sha256Hex(pdf)}`);
    expect(res.headers.get("x-execution-hash")).toBe(execution.hash);
    const anchors = await call("GET", `/api/v1/contracts/${id}/anchor`, { token: owner.token });
    const records = anchors.body.data.records as { kind: string; hash: string; executedDocumentHash: string | null }[];
    expect(records.map((r) => r.kind).sort()).toEqual(["document", "execution"]);
    expect(records.find((r) => r.kind === "execution")).toMatchObject({
      hash: execution.hash,
      executedDocumentHash: `0x${sha256Hex(pdf)}`,
    });
  });

  it("one changed byte is reported broken by pdfsig", async () => {
    const id = await activeContract("Tampered");
    const { pdf } = await getExecutedDocument(env, id);
    const tampered = pdf.slice();
    // A byte inside the signed range, outside the /Contents hole: the page width in the MediaBox (595.28 → 595.29).
    const at = new TextDecoder("latin1").decode(pdf).indexOf("595.28") + 5;
    expect(at).toBeGreaterThan(0);
    tampered[at] = tampered[at]! ^ 0x01;
    const report = await pdfsig(tampered);
    expect(report).not.toContain("Signature is Valid");
    expect(report).toMatch(/Signature is Invalid|Digest Mismatch|not.*signed/i);
  });

  it("the certificate is sealed too, with a timestamp, and validates", async () => {
    const id = await activeContract("Certified");
    const res = await fetchWorker(`/api/v1/contracts/${id}/certificate`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-document-seal")).toBe("timestamped");
    const report = await pdfsig(new Uint8Array(await res.arrayBuffer()));
    expect(report).toContain("Signature Validation: Signature is Valid.");
    expect(report).toContain("Total document signed");
    expect(report).toMatch(TIMESTAMP);
  });

  it("with the TSA down the PDF is sealed without a timestamp, and a later pass re-seals it with one", async () => {
    // The mechanism on a key of its own: the contract's render job (TSA up here) cannot race it.
    const key = `contracts/ctr_${crypto.randomUUID().replaceAll("-", "")}/executed.pdf`;
    const blank = await PDFDocument.create();
    blank.addPage();
    const unsealed = await blank.save();
    const down = { ...env, TSA_URL: "http://127.0.0.1:9/" };
    const first = await keepSealed(down, key, async () => unsealed, "Executed contract, sealed by Escra");
    expect(first.seal).toBe("untimestamped");
    const report = await pdfsig(first.pdf);
    expect(report).toContain("Signature Validation: Signature is Valid.");
    expect(report).toContain("--- CMS");
    expect(report).not.toMatch(TIMESTAMP);
    // Not final: no execution record is made over it while a timestamp may still come, except on the job's last try.
    expect(sealIsFinal(first.seal, true, false)).toBe(false);
    expect(sealIsFinal(first.seal, true, true)).toBe(true);
    expect(sealIsFinal(first.seal, false, false)).toBe(true);
    expect(sealIsFinal("timestamped", true, false)).toBe(true);

    const again = await keepSealed(env, key, async () => unsealed, "Executed contract, sealed by Escra");
    expect(again.seal).toBe("timestamped");
    expect(again.sha256).not.toBe(first.sha256);
    expect(await pdfsig(again.pdf)).toMatch(TIMESTAMP);
  });

  it("once the execution record is made the executed PDF never changes, whatever the TSA does", async () => {
    const id = await activeContract("Fixed once recorded");
    const polled = await executedWithRecord(id, { token: owner.token });
    const recorded = await getExecutedDocument(env, id);
    expect(recorded.sha256).toBe(polled.sha256);
    expect(recorded.execution?.executedDocumentHash).toBe(recorded.sha256);
    // Even with the working copy gone and the TSA down, the recorded bytes are served, unchanged.
    await env.DOCUMENTS.delete(executedDocumentKey(id));
    const down = { ...env, TSA_URL: "http://127.0.0.1:9/" };
    const later = await getExecutedDocument(down, id);
    expect(later.sha256).toBe(recorded.sha256);
    expect(sha256Hex(later.pdf)).toBe(recorded.sha256);
    expect(later.execution).toEqual(recorded.execution);
    const res = await fetchWorker(`/api/v1/contracts/${id}/executed-document`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.headers.get("x-document-sha256")).toBe(recorded.sha256);
    // One execution record, over that file.
    const anchors = await call("GET", `/api/v1/contracts/${id}/anchor`, { token: owner.token });
    const executions = (anchors.body.data.records as { kind: string; executedDocumentHash: string }[]).filter(
      (r) => r.kind === "execution",
    );
    expect(executions.map((r) => r.executedDocumentHash)).toEqual([`0x${recorded.sha256}`]);
  });
});

describe("GET /verify?hash= (the certificate's QR code opens it)", () => {
  it("answers as POST /verify does: the executed document's hash is known, with its contract", async () => {
    const id = await activeContract("Verified by link");
    const { sha256 } = await getExecutedDocument(env, id);
    const byLink = await call("GET", `/api/v1/verify?hash=${sha256.toUpperCase()}`);
    expect(byLink.status).toBe(200);
    expect(byLink.body.data).toMatchObject({ hash: `0x${sha256}`, known: true, contracts: [{ id, status: "active" }] });
    const byPost = await call("POST", "/api/v1/verify", { body: { hash: sha256 } });
    expect(byLink.body.data.records).toEqual(byPost.body.data.records);
  });

  it("an unknown hash is unknown; a malformed or missing one is VAL001", async () => {
    const unknown = await call("GET", `/api/v1/verify?hash=0x${"00".repeat(32)}`);
    expect(unknown.body.data).toMatchObject({ known: false, contracts: [], records: [] });
    expect((await call("GET", "/api/v1/verify?hash=abc")).body.error.code).toBe("VAL001");
    expect((await call("GET", "/api/v1/verify")).body.error.code).toBe("VAL001");
  });

  it("the certificate's QR code and link point at it with the document hash", async () => {
    const id = await activeContract("QR target");
    const res = await fetchWorker(`/api/v1/contracts/${id}/certificate`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const documentHash = res.headers.get("x-document-sha256")!.replace(/^0x/, "");
    const text = await (
      await fetch(`${env.PDF_TOOLS_URL}/pdftotext`, { method: "POST", body: await res.arrayBuffer() })
    ).text();
    expect(text.replace(/\s+/g, "")).toContain(`/api/v1/verify?hash=0x${documentHash}`);
  });
});

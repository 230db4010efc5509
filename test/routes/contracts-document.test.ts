import { describe, expect, it, beforeAll } from "vitest";
import { PDFDocument } from "pdf-lib";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { env } from "cloudflare:workers";
import { formatMoney, pdfSafe, renderContractPdf, type DocumentContent } from "../../src/lib/contract-pdf";
import { assetFontLoader } from "../../src/lib/fonts";

const fonts = assetFontLoader(env.ASSETS);

const hex = async (bytes: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

const content = (overrides: Partial<DocumentContent> = {}): DocumentContent => ({
  id: "ctr_00000000000000000001",
  title: "Supply of goods \u2014 \u201cphase 1\u201d",
  type: "sale",
  description: "Cement and sand",
  version: 2,
  body: "The seller delivers.\n\nPayment on delivery. " + "Long clause ".repeat(600) + "Naira \u20a6 sign.",
  value: { amount: 1_234_567_89, currency: "NGN" },
  expiresAt: "2027-01-01T00:00:00.000Z",
  signers: [
    {
      id: "sig_b",
      email: "b@example.com",
      name: "B",
      role: "signer",
      order: 2,
      status: "waiting",
      signedAt: null,
      signature: null,
    },
    {
      id: "sig_a",
      email: "a@example.com",
      name: "A",
      role: "approver",
      order: 1,
      status: "waiting",
      signedAt: null,
      signature: null,
    },
  ],
  attachments: [
    {
      id: "att_1",
      name: "spec.pdf",
      contentType: "application/pdf",
      size: 10,
      sha256: "ab".repeat(32),
      createdAt: "2026-11-22T00:00:00.000Z",
    },
  ],
  ...overrides,
});

describe("renderContractPdf", () => {
  it("is deterministic: the same content gives the same bytes; any change gives others", async () => {
    const a = await renderContractPdf(content(), fonts);
    const b = await renderContractPdf(content(), fonts);
    expect(await hex(a)).toBe(await hex(b));
    expect(await hex(await renderContractPdf(content({ body: "Different." }), fonts))).not.toBe(await hex(a));
    const parsed = await PDFDocument.load(a);
    expect(parsed.getPageCount()).toBeGreaterThan(1);
    // Issue 14: typographic punctuation is kept (it was flattened to ASCII for the WinAnsi-only standard fonts).
    expect(parsed.getTitle()).toBe("Supply of goods \u2014 \u201cphase 1\u201d");
    expect(parsed.getCreationDate()?.toISOString()).toBe("2000-01-01T00:00:00.000Z");
  });

  it("formats integer minor units with the currency's decimals and keeps every character (NFC)", () => {
    expect(formatMoney({ amount: 123_456_789, currency: "NGN" })).toBe("NGN 1,234,567.89");
    expect(formatMoney({ amount: 5000, currency: "JPY" })).toBe("JPY 5,000");
    expect(formatMoney({ amount: 5, currency: "USD" })).toBe("USD 0.05");
    // Issue 14: ₦ and typographic punctuation were replaced by '?' and ASCII; now they are drawn as written.
    expect(pdfSafe("\u201cA\u201d \u2014 \u20a6 cafe\u0301\t")).toBe("\u201cA\u201d \u2014 \u20a6 caf\u00e9    ");
  });
});

describe("GET /contracts/:id/document", () => {
  let owner: Actor;
  let stranger: Actor;
  beforeAll(async () => {
    [owner, stranger] = await Promise.all([actor(), actor()]);
  });

  it("renders a draft on the fly with its hash; re-fetching gives the same bytes, an edit changes them", async () => {
    const id = (
      await call("POST", "/api/v1/contracts", {
        token: owner.token,
        body: { title: "Doc test", type: "nda", body: "Keep it secret." },
      })
    ).body.data.id;
    const get = () =>
      fetchWorker(`/api/v1/contracts/${id}/document`, { headers: { authorization: `Bearer ${owner.token}` } });
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await first.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    expect(first.headers.get("x-document-sha256")).toBe(await hex(bytes));
    const again = await get();
    expect(again.headers.get("x-document-sha256")).toBe(first.headers.get("x-document-sha256"));
    await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { body: "Keep it very secret." } });
    expect((await get()).headers.get("x-document-sha256")).not.toBe(first.headers.get("x-document-sha256"));
  });

  it("is RES001 for strangers, VAL001 for a bad id, AUTH004 anonymous", async () => {
    const id = (
      await call("POST", "/api/v1/contracts", { token: owner.token, body: { title: "Private doc", type: "nda" } })
    ).body.data.id;
    expect((await call("GET", `/api/v1/contracts/${id}/document`, { token: stranger.token })).body.error?.code).toBe(
      "RES001",
    );
    expect((await call("GET", "/api/v1/contracts/nope/document", { token: owner.token })).body.error?.code).toBe(
      "VAL001",
    );
    expect((await call("GET", `/api/v1/contracts/${id}/document`)).body.error?.code).toBe("AUTH004");
  });
});

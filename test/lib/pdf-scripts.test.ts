// Issue 14.1: every script the API accepts renders with an embedded font, and an independent reader (poppler's
// pdftotext, over loopback from test/node/pdf-tools.ts) extracts exactly the text that went in; a character no
// font covers is refused with VAL001 naming the field, never drawn as '?'.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import fontkit from "@pdf-lib/fontkit";
import { PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from "pdf-lib";
import { renderContractPdf, type DocumentContent } from "../../src/lib/contract-pdf";
import { assetFontLoader, uncoveredCharacters } from "../../src/lib/fonts";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";

const fonts = assetFontLoader(env.ASSETS);

/** What a PDF reader extracts: pdftotext's UTF-8 output in page order (-layout: a right-aligned right-to-left line
 * stays in its place instead of being read as a second column). */
async function pdftotext(pdf: Uint8Array): Promise<string> {
  const res = await fetch(`${env.PDF_TOOLS_URL}/pdftotext?layout=1`, { method: "POST", body: pdf });
  if (res.status === 503) throw new Error("pdftotext is missing: run scripts/system-deps.sh (poppler-utils)");
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

/** pdftotext marks right-to-left lines with embedding controls (U+202A–U+202E); they are not part of the text. */
const lines = (text: string) =>
  text
    .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g, "")
    .split(/\n|\f/)
    .map((l) => l.trim())
    .filter(Boolean);

const content = (body: string, overrides: Partial<DocumentContent> = {}): DocumentContent => ({
  id: "ctr_00000000000000000014",
  title: "Service agreement",
  type: "services",
  description: null,
  version: 1,
  body,
  value: null,
  expiresAt: null,
  signers: [],
  attachments: [],
  ...overrides,
});

/** One line per script; the examples verbatim among them. */
const TEN_SCRIPTS = [
  "The Client shall pay \u20a62,500,000 \u2014 \u201cin full\u201d.", // Latin, naira sign, em dash, curly quotes
  "Chiamaka \u1eccn\u1ee5\u1ecdha and Ad\u00e9\u1e63\u1ecd\u0301la Ok\u00e9", // Igbo and Yoruba diacritics
  "Ti\u1ebfng Vi\u1ec7t: h\u1ee3p \u0111\u1ed3ng \u0111\u00e3 k\u00fd", // Vietnamese
  "\u0397 \u03c3\u03cd\u03bc\u03b2\u03b1\u03c3\u03b7 \u03c5\u03c0\u03bf\u03b3\u03c1\u03ac\u03c6\u03b5\u03c4\u03b1\u03b9", // Greek
  "\u0414\u043e\u0433\u043e\u0432\u043e\u0440 \u043f\u043e\u0434\u043f\u0438\u0441\u0430\u043d \u0441\u0442\u043e\u0440\u043e\u043d\u0430\u043c\u0438", // Cyrillic
  "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645", // Arabic (right to left)
  "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd", // Hebrew (right to left)
  "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e", // Devanagari (vowel sign drawn before its consonant)
  "\u5408\u540c\u5df2\u7b7e\u7f72\u3002\u3053\u3093\u306b\u3061\u306f\u4e16\u754c", // Chinese and Japanese
  "\uacc4\uc57d\uc11c\uc5d0 \uc11c\uba85\ud588\uc2b5\ub2c8\ub2e4", // Korean
  "\u20ac 10 \u00a3 20 \u00a5 30 \u20b9 40 \u20b5 50 \u20bf 0.1", // currency symbols
];

describe("every script renders (pdftotext reads back the input)", () => {
  it("a contract in ten scripts extracts to exactly its text, line by line", async () => {
    const pdf = await renderContractPdf(content(TEN_SCRIPTS.join("\n")), fonts);
    const extracted = lines(await pdftotext(pdf));
    const terms = extracted.indexOf("Terms");
    expect(terms).toBeGreaterThan(0);
    expect(extracted.slice(terms + 1, terms + 1 + TEN_SCRIPTS.length)).toEqual(
      TEN_SCRIPTS.map((l) => l.normalize("NFC")),
    );
    expect(extracted.join("\n")).not.toContain("?");
  });

  it("the title, parties and footer use the same fonts (names in any script)", async () => {
    const signer = {
      id: "sig_1",
      email: "c@example.com",
      name: "Chiamaka \u1eccn\u1ee5\u1ecdha",
      role: "signer" as const,
      order: 1,
      status: "waiting" as const,
      signedAt: null,
      signature: null,
    };
    const pdf = await renderContractPdf(
      content("Body.", { title: "\u0414\u043e\u0433\u043e\u0432\u043e\u0440 \u2014 \u5408\u540c", signers: [signer] }),
      fonts,
    );
    const extracted = lines(await pdftotext(pdf));
    expect(extracted[0]).toBe("\u0414\u043e\u0433\u043e\u0432\u043e\u0440 \u2014 \u5408\u540c");
    expect(extracted).toContain("1. Chiamaka \u1eccn\u1ee5\u1ecdha <c@example.com> \u2014 signer");
  });

  it("a 4,000-character word wraps into lines that together give the word back", async () => {
    const word = "abcdefghij".repeat(400);
    const started = Date.now();
    const pdf = await renderContractPdf(content(word), fonts);
    expect(Date.now() - started).toBeLessThan(5_000);
    const extracted = lines(await pdftotext(pdf));
    const body = extracted.slice(extracted.indexOf("Terms") + 1).filter((l) => /^[a-j]+$/.test(l));
    expect(body.length).toBeGreaterThan(10);
    expect(body.join("")).toBe(word);
  });

  it("knows which characters no font covers", () => {
    expect(uncoveredCharacters(TEN_SCRIPTS.join("\n"))).toEqual([]);
    expect(uncoveredCharacters("Thai \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35, Ethiopic \u1230")).toEqual([
      "\u0e2a",
      "\u0e27",
      "\u0e31",
      "\u0e14",
      "\u0e35",
      "\u1230",
    ]);
  });
});

describe("a character no font covers is refused with VAL001 naming the field", () => {
  let owner: Actor;
  beforeAll(async () => {
    owner = await actor();
  });
  const THAI = "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35";

  it("at create: title, body and a signer's name", async () => {
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: `Deal ${THAI}`,
        type: "nda",
        body: "ok \u1230",
        signers: [{ email: "x@example.com", name: `X ${THAI}` }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
    const paths = (res.body.error.details as { path: string; message: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(["body", "signers.0.name", "title"]);
    expect(JSON.stringify(res.body.error.details)).toContain("U+0E2A");
  });

  it("at update: the body, and nothing is changed", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Plain", type: "nda", body: "Fine." },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const res = await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { body: `Now ${THAI}` } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
    expect(res.body.error.details[0].path).toBe("body");
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data.body).toBe("Fine.");
  });
});

/** Dark pixels on page 1 at 100 dpi (pdftoppm -gray: a binary PGM, "P5\n<w> <h>\n255\n" then one byte per pixel). */
async function ink(pdf: Uint8Array): Promise<number> {
  const res = await fetch(`${env.PDF_TOOLS_URL}/pdftoppm?page=1&dpi=100&gray=1`, { method: "POST", body: pdf });
  expect(res.status).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  let newlines = 0;
  let start = 0;
  while (newlines < 3) if (bytes[start++] === 0x0a) newlines++;
  let dark = 0;
  for (let i = start; i < bytes.length; i++) if (bytes[i]! < 128) dark++;
  return dark;
}

/** The embedded fonts of a PDF (FontFile2 streams), parsed back with fontkit. */
async function embeddedFonts(pdf: Uint8Array) {
  const doc = await PDFDocument.load(pdf);
  type Parsed = { numGlyphs: number; getGlyph(id: number): { path: { commands: unknown[] } } };
  const fonts: { name: string; font: Parsed }[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || !obj.get(PDFName.of("FontFile2"))) continue;
    const stream = doc.context.lookup(obj.get(PDFName.of("FontFile2"))) as PDFRawStream;
    const bytes = decodePDFRawStream(stream).decode();
    fonts.push({
      name: String(obj.get(PDFName.of("FontName"))),
      font: fontkit.create(bytes as never) as unknown as Parsed,
    });
  }
  return fonts;
}

describe("shaped scripts draw every glyph (Arabic joining and dots, Devanagari conjuncts)", () => {
  const ARABIC = TEN_SCRIPTS[5]!;
  const DEVANAGARI = `${TEN_SCRIPTS[7]!} \u0936\u0941\u0926\u094d\u0927 \u0915\u094d\u0937\u0947\u0924\u094d\u0930`;

  it("every glyph of every embedded subset font decodes (fontkit's short-loca offsets stay aligned)", async () => {
    const pdf = await renderContractPdf(content(`${ARABIC}\n${DEVANAGARI}\n\u05e9\u05dc\u05d5\u05dd`), fonts);
    const embedded = await embeddedFonts(pdf);
    expect(embedded.some((f) => f.name.includes("Arabic"))).toBe(true);
    for (const { name, font } of embedded) {
      for (let id = 0; id < font.numGlyphs; id++) {
        expect(() => font.getGlyph(id).path.commands, `${name} glyph ${id}`).not.toThrow();
      }
    }
  });

  it("an Arabic and a Devanagari line put ink on the page (at least a third of their transliteration's)", async () => {
    const blank = await ink(await renderContractPdf(content(" "), fonts));
    const arabic = (await ink(await renderContractPdf(content(ARABIC), fonts))) - blank;
    const devanagari = (await ink(await renderContractPdf(content(DEVANAGARI), fonts))) - blank;
    const latin = (await ink(await renderContractPdf(content("marhaban bialealam"), fonts))) - blank;
    expect(arabic).toBeGreaterThan(latin / 3);
    expect(devanagari).toBeGreaterThan(latin / 3);
  });
});

// Poppler's command-line tools for the tests inside workerd, one loopback server per vitest run (started by
// vitest.config.ts, URL handed over as PDF_TOOLS_URL): the independent reader the PDFs must satisfy.
//   POST /pdftotext[?layout=1] (body: a PDF) → the text a reader extracts (UTF-8; -layout keeps lines in page order)
//   POST /xlsx (body: an XLSX) → JSON { rowCount, head: first 3 rows, last: last row } read by exceljs's streaming
//     reader: an XLSX reader independent of the writer (src/lib/report-files.ts) — 422 with its error if it refuses
//   POST /pdftoppm?page=1[&dpi=60][&gray=1] (body: a PDF) → that page as PNG, or with gray=1 as a binary PGM
//     (8-bit grey pixels after a short text header) that a test can count dark pixels in without a PNG decoder
//   POST /pdfsig (body: a PDF) → pdfsig's report (signature validity, "Total document signed", timestamp), as text;
//     answered 200 whatever pdfsig's exit code, since a broken signature is a result the tests assert
// poppler-utils is installed by scripts/system-deps.sh (called from .ci/run); without it the endpoints answer 503.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";

/** Reads every row of every sheet with exceljs; keeps only the first three and the last. */
async function readXlsx(bytes: Buffer): Promise<{ rowCount: number; head: unknown[][]; last: unknown[] | null }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {});
  let rowCount = 0;
  const head: unknown[][] = [];
  let last: unknown[] | null = null;
  for await (const sheet of reader) {
    for await (const row of sheet) {
      // exceljs's values are 1-based (index 0 empty).
      const values = (row.values as unknown[]).slice(1);
      rowCount += 1;
      if (head.length < 3) head.push(values);
      last = values;
    }
  }
  return { rowCount, head, last };
}

/** pdfsig reads a file, not stdin. Poppler 22's pdfsig does not report a signature's RFC 3161 timestamp, so the
 * first signature's CMS (`pdfsig -dump`) is also printed by `openssl cms -cmsout -print` after a "--- CMS" line:
 * a timestamped seal shows `id-smime-aa-timeStampToken` with an `id-smime-ct-TSTInfo` inside. */
async function pdfsig(pdf: Buffer): Promise<{ code: number; out: Buffer; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), "escra-pdfsig-"));
  try {
    const file = join(dir, "doc.pdf");
    writeFileSync(file, pdf);
    const result = await run("pdfsig", [file], Buffer.alloc(0));
    if (result.code === 127) return result;
    let cms = "";
    const dumped = await run("pdfsig", ["-dump", file], Buffer.alloc(0), dir);
    if (dumped.code === 0 && existsSync(`${file}.sig0`)) {
      const args = ["cms", "-inform", "DER", "-in", `${file}.sig0`, "-cmsout", "-print"];
      const printed = await run("openssl", args, Buffer.alloc(0));
      cms = `\n--- CMS (openssl cms -print) ---\n${printed.out.toString()}`;
    }
    // Exit code 1/2 with a report is still an answer (e.g. "Signature is Invalid"); 127 means pdfsig is missing.
    return { code: 0, out: Buffer.from(result.out.toString() + result.err + cms), err: "" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Ran = { code: number; out: Buffer; err: string };

function run(cmd: string, args: string[], input: Buffer, cwd?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => resolve({ code: 127, out: Buffer.alloc(0), err: String(e) }));
    child.on("close", (code) =>
      resolve({ code: code ?? 1, out: Buffer.concat(out), err: Buffer.concat(err).toString() }),
    );
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

export async function startPdfTools(): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      res.setHeader("connection", "close");
      const url = new URL(req.url ?? "/", "http://pdf-tools");
      const pdf = Buffer.concat(chunks);
      const page = url.searchParams.get("page") ?? "1";
      if (url.pathname === "/xlsx") {
        try {
          const parsed = await readXlsx(pdf);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(parsed));
        } catch (err) {
          res.writeHead(422, { "content-type": "text/plain" });
          res.end(String(err));
        }
        return;
      }
      const result =
        url.pathname === "/pdftotext"
          ? await run(
              "pdftotext",
              [...(url.searchParams.has("layout") ? ["-layout"] : []), "-enc", "UTF-8", "-", "-"],
              pdf,
            )
          : url.pathname === "/pdfsig"
            ? await pdfsig(pdf)
            : url.pathname === "/pdftoppm"
              ? await run(
                  "pdftoppm",
                  [
                    url.searchParams.has("gray") ? "-gray" : "-png",
                    ...["-r", url.searchParams.get("dpi") ?? "60", "-f", page, "-l", page, "-"],
                  ],
                  pdf,
                )
              : { code: 404, out: Buffer.alloc(0), err: "unknown tool" };
      const status = result.code === 0 ? 200 : result.code === 127 ? 503 : result.code === 404 ? 404 : 422;
      // The text tools' output is text (workerd warns when a test reads an octet-stream body with .text()).
      const type = url.pathname === "/pdftoppm" ? "application/octet-stream" : "text/plain; charset=utf-8";
      res.writeHead(status, { "content-type": status === 200 ? type : "text/plain" });
      res.end(status === 200 ? result.out : result.err);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

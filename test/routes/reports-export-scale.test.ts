// A 100,000-row export (issue 16.1 "done when"): CSV and XLSX through the real queue in the Workers runtime,
// rows streamed page by page into R2 multipart parts; the XLSX is read back by exceljs on the Node side.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { seedManyContracts } from "../helpers/report-seed";
import { PART_BYTES } from "../../src/lib/report-files";

const ROWS = 100_000;
const START = "2026-02-01T00:00:00.000Z";
let owner: TestUser;

const exports: Partial<Record<"csv" | "xlsx", Promise<any>>> = {};

async function requestExport(format: "csv" | "xlsx") {
  const created = await call("POST", "/api/v1/reports", {
    token: owner.accessToken,
    body: { kind: "contracts", format, filters: { startDate: START, endDate: "2026-03-01T00:00:00.000Z" } },
  });
  expect(created.status).toBe(202);
  return created.body.data.id as string;
}

async function waitFor(id: string) {
  for (;;) {
    const res = await call("GET", `/api/v1/reports/${id}`, { token: owner.accessToken });
    if (res.body.data.status === "ready" || res.body.data.status === "failed") return res.body.data;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The export of `format`, requested in beforeAll: both jobs run while the first file is being checked. */
const exportAndWait = (format: "csv" | "xlsx") => exports[format]!;

beforeAll(async () => {
  owner = await createUser({ name: "Bulk Owner" });
  await seedManyContracts({ ownerId: owner.user.id, tag: "scale", count: ROWS, start: START });
  for (const format of ["csv", "xlsx"] as const) {
    const id = await requestExport(format);
    exports[format] = waitFor(id);
    // A rejection is awaited (and reported) by the test of that format, not left unhandled meanwhile.
    exports[format].catch(() => undefined);
  }
}, 120_000);

describe("a 100,000-row export", () => {
  it("CSV: every row, in parts of 5 MiB streamed to R2", async () => {
    const report = await exportAndWait("csv");
    expect(report).toMatchObject({ status: "ready", rowCount: ROWS, progress: 100 });
    // Larger than one part: the job could only have written it part by part.
    expect(report.size).toBeGreaterThan(PART_BYTES);
    const res = await fetchWorker(`/api/v1/reports/${report.id}/download`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    let lines = 0;
    let tail = "";
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
      const text = tail + decoder.decode(chunk, { stream: true });
      const parts = text.split("\r\n");
      tail = parts.pop()!;
      lines += parts.length;
      if (lines < 3 && parts[1]) expect(parts[1]).toMatch(/^ctr_scale0000000000,Bulk agreement 0,nda,draft,/);
    }
    expect(lines).toBe(ROWS + 1);
  }, 600_000);

  it("XLSX: exceljs reads back the header and all rows", async () => {
    const report = await exportAndWait("xlsx");
    expect(report).toMatchObject({ status: "ready", rowCount: ROWS });
    const file = await fetchWorker(`/api/v1/reports/${report.id}/download`, {
      headers: { authorization: `Bearer ${owner.accessToken}` },
    });
    const read = await fetch(`${env.PDF_TOOLS_URL}/xlsx`, { method: "POST", body: await file.arrayBuffer() });
    expect(read.status).toBe(200);
    const sheet = (await read.json()) as { rowCount: number; head: unknown[][]; last: unknown[] };
    expect(sheet.rowCount).toBe(ROWS + 1);
    expect(sheet.head[0]![0]).toBe("Contract ID");
    expect(sheet.head[1]!.slice(0, 4)).toEqual(["ctr_scale0000000000", "Bulk agreement 0", "nda", "draft"]);
    expect(sheet.last.slice(0, 2)).toEqual([
      `ctr_scale${String(ROWS - 1).padStart(10, "0")}`,
      `Bulk agreement ${ROWS - 1}`,
    ]);
  }, 600_000);
});

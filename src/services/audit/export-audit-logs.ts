// exportAuditLogs: the audit log as a streamed JSON, CSV or PDF download. Rows are read by keyset pages, so any size
// streams in constant memory (PDF excepted: pdf-lib builds the document whole, so it holds at most PDF_MAX_ROWS).
// Scoped to one contract (resourceType=contract, resourceId), the export carries that contract's hash-chained trail
// (prevHash/hash per event) so it verifies outside Escra: hash = sha256(prevHash || canonicalJson(event)).
import { stringify } from "csv-stringify/sync";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { Bindings, Principal } from "../../env";
import { auditLogPages, type AuditFilters, type AuditLogRow, type AuditScope } from "../../db/audit-logs";
import { contractAccess } from "../../db/contract-access";
import { contractRoom } from "../../../durable-objects/contract-room";
import { GENESIS_HASH, type AuditEvent } from "../../domain/audit-chain";
import type { AuditLogEvent } from "../../domain/events";
import { recordAudit } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { isAdmin } from "../../domain/scopes";

export type AuditExportFormat = "json" | "csv" | "pdf";

export const PDF_MAX_ROWS = 2_000;

const CSV_COLUMNS = [
  "id",
  "createdAt",
  "action",
  "actorId",
  "resourceType",
  "resourceId",
  "ip",
  "requestId",
  "data",
] as const;

export interface ContractTrail {
  contractId: string;
  /** How each hash is computed, for a verifier outside Escra. */
  algorithm: "sha256(prevHash || canonicalJson({seq,type,actorId,at,data}))";
  genesisHash: string;
  head: string;
  events: AuditEvent[];
}

export interface AuditExport {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  filename: string;
}

/** JSON view of a row (data parsed back to an object). */
export function auditEntryView(row: AuditLogRow) {
  let data: unknown = null;
  try {
    data = row.data ? JSON.parse(row.data) : null;
  } catch {
    data = row.data;
  }
  return {
    id: row.id,
    action: row.action,
    actorId: row.actorId,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    data,
    createdAt: row.createdAt,
  };
}

/**
 * @throws RES001 when the export names a contract the caller may not audit (not its owner, not an admin)
 */
export async function exportAuditLogs(
  env: Bindings,
  principal: Principal,
  input: { format: AuditExportFormat; filters: AuditFilters },
  origin: { ip: string | null; userAgent: string | null },
): Promise<AuditExport> {
  const admin = isAdmin(principal);
  const scope: AuditScope = admin ? { kind: "all" } : { kind: "user", userId: principal.userId };
  const trail = await contractTrailFor(env, principal, admin, input.filters);
  const exported: AuditLogEvent = "audit.exported";
  await recordAudit(env, {
    action: exported,
    actorId: principal.userId,
    ...origin,
    data: { format: input.format, filters: { ...input.filters } },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const rows = auditLogPages(env.DB, input.filters, scope);
  switch (input.format) {
    case "json":
      return {
        body: jsonStream(rows, trail, input.filters),
        contentType: "application/json",
        filename: `audit-log-${stamp}.json`,
      };
    case "csv":
      return { body: csvStream(rows), contentType: "text/csv; charset=utf-8", filename: `audit-log-${stamp}.csv` };
    case "pdf":
      return {
        body: bytesStream(await pdfOf(rows, trail)),
        contentType: "application/pdf",
        filename: `audit-log-${stamp}.pdf`,
      };
  }
}

async function contractTrailFor(env: Bindings, principal: Principal, admin: boolean, filters: AuditFilters) {
  if (filters.resourceType !== "contract" || !filters.resourceId) return null;
  const contractId = filters.resourceId;
  if (!admin && (await contractAccess(env, principal, contractId)) !== "owner") throw fail.notFound("Contract");
  const events = await contractRoom(env, contractId).auditTrail();
  if (events.length === 0) throw fail.notFound("Contract");
  const trail: ContractTrail = {
    contractId,
    algorithm: "sha256(prevHash || canonicalJson({seq,type,actorId,at,data}))",
    genesisHash: GENESIS_HASH,
    head: events[events.length - 1]!.hash,
    events,
  };
  return trail;
}

const encoder = new TextEncoder();

/**
 * A pull-based byte stream: `produce` emits text and yields after each page, so the next page is read from D1 only
 * when the client has taken the previous one.
 */
function streamOf(produce: (emit: (text: string) => void) => AsyncGenerator<void>): ReadableStream<Uint8Array> {
  const buffer: string[] = [];
  const steps = produce((text) => buffer.push(text));
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const step = await steps.next();
        if (buffer.length > 0) {
          controller.enqueue(encoder.encode(buffer.splice(0).join("")));
          if (step.done) controller.close();
          return;
        }
        if (step.done) return controller.close();
      }
    },
  });
}

function jsonStream(pages: AsyncGenerator<AuditLogRow[]>, trail: ContractTrail | null, filters: AuditFilters) {
  return streamOf(async function* (emit) {
    emit(`{"exportedAt":${JSON.stringify(new Date().toISOString())},"filters":${JSON.stringify(filters)},"entries":[`);
    let first = true;
    for await (const page of pages) {
      for (const row of page) {
        emit(`${first ? "" : ","}${JSON.stringify(auditEntryView(row))}`);
        first = false;
      }
      yield;
    }
    emit(`],"contractTrail":${JSON.stringify(trail)}}`);
  });
}

function csvStream(pages: AsyncGenerator<AuditLogRow[]>) {
  return streamOf(async function* (emit) {
    emit(stringify([CSV_COLUMNS as unknown as string[]]));
    for await (const page of pages) {
      emit(
        stringify(
          page.map((row) => [
            row.id,
            row.createdAt,
            row.action,
            row.actorId,
            row.resourceType,
            row.resourceId,
            row.ip,
            row.requestId,
            row.data,
          ]),
          // Formula injection: a cell starting with = + - @ is prefixed so spreadsheets show it as text.
          { cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) } },
        ),
      );
      yield;
    }
  });
}

function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Helvetica covers WinAnsi only: other characters are written as U+XXXX so nothing is silently dropped. */
const winAnsi = (text: string) =>
  text.replace(
    /[^\x20-\x7e\u00a0-\u00ff]/gu,
    (ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`,
  );

async function pdfOf(pages: AsyncGenerator<AuditLogRow[]>, trail: ContractTrail | null): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle("Escra audit log");
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const size = 7.5;
  let page = pdf.addPage([842, 595]);
  let y = 560;
  const line = (text: string, f = font, s = size) => {
    if (y < 30) {
      page = pdf.addPage([842, 595]);
      y = 560;
    }
    page.drawText(winAnsi(text).slice(0, 220), { x: 30, y, size: s, font: f, color: rgb(0.1, 0.1, 0.1) });
    y -= s + 3.5;
  };
  line(`Escra audit log, exported ${new Date().toISOString()}`, bold, 12);
  y -= 6;
  let rows = 0;
  let truncated = false;
  for await (const chunk of pages) {
    for (const row of chunk) {
      if (rows >= PDF_MAX_ROWS) {
        truncated = true;
        break;
      }
      line(
        `${row.createdAt}  ${row.action}  actor=${row.actorId ?? "-"}  ${row.resourceType ?? ""}:${row.resourceId ?? ""}  ip=${row.ip ?? "-"}`,
      );
      rows += 1;
    }
    if (truncated) break;
  }
  if (truncated) line(`Only the first ${PDF_MAX_ROWS} entries are shown; export JSON or CSV for the whole log.`, bold);
  if (trail) {
    y -= 8;
    line(`Hash chain of contract ${trail.contractId} (${trail.algorithm})`, bold, 10);
    for (const e of trail.events)
      line(`#${e.seq} ${e.at} ${e.type} actor=${e.actorId ?? "-"}  prev=${e.prevHash}  hash=${e.hash}`);
    line(`head ${trail.head}`, bold);
  }
  return pdf.save();
}

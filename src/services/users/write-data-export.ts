// Writing a personal-data export's file (the JOBS `user.data_export` job, issue 15.1): every section of
// src/db/user-data.ts, list sections page by page without the synchronous export's cap, streamed as one JSON
// document into R2 part by part (lib/report-files.ts R2PartSink). Then the owner gets an email with the link and
// `export.ready` on their live feed. A retried job starts the file again; a ready export only re-announces itself.
import { and, eq } from "drizzle-orm";
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { dataExports } from "../../db/schema/lifecycle";
import { findDataExport, updateDataExport, type DataExportRow } from "../../db/data-exports";
import { findUserById, type UserRow } from "../../db/users";
import { EXPORT_SECTIONS, type ExportPage } from "../../db/user-data";
import { sendEmail } from "../../lib/email";
import { notifyFeed } from "../../lib/feed-notify";
import { log } from "../../lib/request-context";
import { R2PartSink } from "../../lib/report-files";
import { dataExportExpiry } from "../../domain/data-export";

/** Rows per D1 read of a list section: few queries for a large account, one bounded result in memory. */
export const DATA_EXPORT_PAGE_ROWS = 500;

export const dataExportFileName = (row: Pick<DataExportRow, "userId">) => `escra-export-${row.userId}.json`;

export async function writeDataExport(env: Bindings, exportId: string, attempt: { last: boolean }): Promise<void> {
  const database = db(env.DB);
  const row = await findDataExport(database, exportId);
  if (!row) return;
  // Redelivered after the file was written (e.g. the email could not be queued): announce again, idempotently.
  if (row.status === "ready") return announce(env, row);
  if (row.status !== "queued" && row.status !== "running") return;
  const user = await findUserById(env.DB, row.userId);
  if (!user || user.deletedAt) {
    await updateDataExport(database, row.id, { status: "failed", error: "account erased", updatedAt: now() });
    return;
  }
  try {
    await produce(env, row, user);
  } catch (err) {
    if (!attempt.last) throw err;
    log("error", "data export failed", { exportId, error: err instanceof Error ? err.message : String(err) });
    await database
      .update(dataExports)
      .set({ status: "failed", error: "The export could not be produced", updatedAt: now() })
      .where(and(eq(dataExports.id, row.id), eq(dataExports.status, "running")));
    await notifyFeed(env, row.userId, "export.ready", `${row.id}:failed`, { exportId: row.id, status: "failed" });
  }
}

const now = () => new Date().toISOString();

async function produce(env: Bindings, row: DataExportRow, user: UserRow) {
  const database = db(env.DB);
  await database
    .update(dataExports)
    .set({ status: "running", updatedAt: now() })
    .where(and(eq(dataExports.id, row.id), eq(dataExports.status, row.status)));
  // A key per run: the queue delivers at least once, and a second run that loses the race to finish deletes only
  // its own upload, never the file the export row names.
  const key = `exports/${row.id}/${crypto.randomUUID()}/${dataExportFileName(row)}`;
  const sink = await R2PartSink.open(env.DOCUMENTS, key, "application/json");
  const encoder = new TextEncoder();
  const write = (text: string) => sink.write(encoder.encode(text));
  try {
    // The same document as GET /users/me/export's `data`, with every row (so `truncated` is always empty).
    await write(`{"exportedAt":${JSON.stringify(now())},"exportId":${JSON.stringify(row.id)}`);
    for (const section of EXPORT_SECTIONS) {
      await write(`,\n${JSON.stringify(section.name)}:`);
      if (section.shape === "object") {
        await write(JSON.stringify(await section.collect(database, user, { limit: 1, offset: 0 })));
        continue;
      }
      await write("[");
      let first = true;
      for (let offset = 0; ; offset += DATA_EXPORT_PAGE_ROWS) {
        const page: ExportPage = { limit: DATA_EXPORT_PAGE_ROWS, offset };
        const items = (await section.collect(database, user, page)) as unknown[];
        if (items.length > 0) {
          await write(`${first ? "\n" : ",\n"}${items.map((item) => JSON.stringify(item)).join(",\n")}`);
          first = false;
        }
        // A section may return more than a page (`files` joins two lists): it is done once a page comes back short.
        if (items.length < DATA_EXPORT_PAGE_ROWS) break;
      }
      await write("]");
    }
    await write(`,\n"truncated":[]}\n`);
    const size = await sink.close();
    const completedAt = now();
    const done = await database
      .update(dataExports)
      .set({
        status: "ready",
        size,
        r2Key: key,
        completedAt,
        updatedAt: completedAt,
        expiresAt: dataExportExpiry(completedAt),
      })
      .where(and(eq(dataExports.id, row.id), eq(dataExports.status, "running")))
      .returning();
    // Erased (or otherwise ended) while writing: the file must not outlive the account.
    if (done.length === 0) {
      await env.DOCUMENTS.delete(key);
      return;
    }
    await announce(env, done[0]!, user);
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/** The email with the link (id per export: sent once) and `export.ready` on the owner's feed (deduplicated). */
async function announce(env: Bindings, row: DataExportRow, owner?: UserRow) {
  const user = owner ?? (await findUserById(env.DB, row.userId));
  if (!user || user.deletedAt) return;
  await sendEmail(env, {
    id: `eml_${row.id.slice(4)}`,
    userId: user.id,
    // Re-checked when the email is sent: an account erased after the export finished gets no mail.
    onBehalfOf: user.id,
    to: user.email,
    template: "data-export-ready",
    data: { name: user.name, exportId: row.id, expiresAt: row.expiresAt, size: row.size ?? 0 },
  });
  await notifyFeed(env, user.id, "export.ready", `${row.id}:ready`, {
    exportId: row.id,
    status: "ready",
    expiresAt: row.expiresAt,
  });
}

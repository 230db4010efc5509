// Reading an asynchronous personal-data export (GET /users/me/exports/:id, /download): only its owner; anyone else
// gets RES001, never a hint that it exists. Past its 24 hours the record reads `expired` and the download is RES002.
import type { Bindings, Principal } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { db } from "../../db/client";
import { findDataExport, type DataExportRow } from "../../db/data-exports";
import { downloadRefusal, visibleExportStatus } from "../../domain/data-export";

/** The record as its owner sees it at `now` (status `expired` once past expiresAt). @throws RES001 */
export async function readDataExport(
  env: Bindings,
  principal: Pick<Principal, "userId">,
  id: string,
  now = new Date(),
): Promise<DataExportRow> {
  const row = await findDataExport(db(env.DB), id);
  if (!row || row.userId !== principal.userId) throw fail.notFound("Export");
  return { ...row, status: visibleExportStatus(row, now.toISOString()) };
}

/**
 * The file of a ready export.
 * @throws ApiError RES001 (not the caller's); RES002 with details.reason `export_pending` (still being written),
 *   `export_failed`, or `export_expired` (past its 24 hours: ask for a new export)
 */
export async function openDataExportFile(
  env: Bindings,
  principal: Pick<Principal, "userId">,
  id: string,
  now = new Date(),
) {
  const row = await readDataExport(env, principal, id, now);
  const refusal = downloadRefusal(row, now.toISOString());
  if (refusal === "expired") {
    throw new ApiError("RES002", "The export has expired; ask for a new one (POST /users/me/exports)", {
      details: { reason: "export_expired", expiredAt: row.expiresAt },
    });
  }
  if (refusal !== "ok") {
    throw fail.conflict(`The export is ${row.status}; download it once it is ready`, {
      reason: `export_${refusal}`,
      status: row.status,
    });
  }
  const object = row.r2Key ? await env.DOCUMENTS.get(row.r2Key) : null;
  if (!object) throw fail.notFound("Export");
  return { row, object };
}

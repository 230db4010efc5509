// Asking for the asynchronous personal-data export (POST /users/me/exports, issue 15.1): one pending export per
// account, a `queued` record, and the export job on JOBS; the job writes the file (write-data-export.ts).
import { and, eq, gt, inArray } from "drizzle-orm";
import type { Bindings, Principal } from "../../env";
import { db } from "../../db/client";
import { dataExports } from "../../db/schema/lifecycle";
import { insertDataExport, type DataExportRow } from "../../db/data-exports";
import { auditInsert } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { enqueueJob } from "../../lib/jobs";
import { dataExportExpiry } from "../../domain/data-export";

export const DATA_EXPORT_JOB = "user.data_export";

/**
 * @param origin where the request came from (audited)
 * @returns the queued export's record
 * @throws ApiError RES002 while another export of the account is queued or running (details.exportId)
 */
export async function requestDataExport(
  env: Bindings,
  principal: Pick<Principal, "userId">,
  origin: { ip: string | null; userAgent: string | null },
  now = new Date(),
): Promise<DataExportRow> {
  const database = db(env.DB);
  const at = now.toISOString();
  const pending = await database
    .select({ id: dataExports.id })
    .from(dataExports)
    .where(
      and(
        eq(dataExports.userId, principal.userId),
        inArray(dataExports.status, ["queued", "running"]),
        gt(dataExports.expiresAt, at),
      ),
    )
    .get();
  if (pending) {
    throw fail.conflict("An export of this account is already being prepared", { exportId: pending.id });
  }
  const row: DataExportRow = {
    id: newId("dex"),
    userId: principal.userId,
    status: "queued",
    size: null,
    r2Key: null,
    error: null,
    createdAt: at,
    updatedAt: at,
    completedAt: null,
    expiresAt: dataExportExpiry(at),
  };
  await insertDataExport(database, row);
  await auditInsert(
    env,
    {
      action: "user.data.export_requested",
      actorId: principal.userId,
      ...origin,
      resourceType: "user",
      resourceId: principal.userId,
      data: { exportId: row.id },
    },
    now,
  );
  // The job id is the export's: a redelivered job finds the record and does not write a second file.
  await enqueueJob(env, DATA_EXPORT_JOB, { exportId: row.id }, { id: `dataexport:${row.id}` });
  return row;
}

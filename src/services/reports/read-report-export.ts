// Reading an export's record or file (GET /reports/:id, /download): only who asked, or an owner/admin of the team
// the report is about; anyone else (and a report past its expiry) gets RES001, never a hint that it exists.
import type { Bindings, Principal } from "../../env";
import { fail } from "../../lib/errors";
import { db } from "../../db/client";
import { findReport, type ReportRow } from "../../db/reports";
import { teamRolesOf } from "../../db/teams";
import { mayReadReport } from "../../domain/reports";

export async function readReportExport(
  env: Bindings,
  principal: Principal,
  id: string,
  now = new Date(),
): Promise<ReportRow> {
  const database = db(env.DB);
  const row = await findReport(database, id);
  if (!row || row.expiresAt <= now.toISOString()) throw fail.notFound("Report");
  if (row.ownerId !== principal.userId) {
    const teamRoles = await teamRolesOf(database, principal.userId);
    if (!mayReadReport(row, { userId: principal.userId, teamRoles })) throw fail.notFound("Report");
  }
  return row;
}

/** The file of a ready export. @throws RES002 while it is still being written (or failed), RES001 as above */
export async function openReportFile(env: Bindings, principal: Principal, id: string) {
  const row = await readReportExport(env, principal, id);
  if (row.status !== "ready" || !row.r2Key) {
    throw fail.conflict(`The report is ${row.status}; download it once it is ready`, {
      status: row.status,
      progress: row.progress,
    });
  }
  const object = await env.DOCUMENTS.get(row.r2Key);
  if (!object) throw fail.notFound("Report");
  return { row, object };
}

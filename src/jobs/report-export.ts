// JOBS `report.export`: writes the file of one report export (services/reports/write-report-export.ts).
import { z } from "zod";
import { writeReportExport } from "../services/reports/write-report-export";
import type { JobHandler } from "./types";

const payload = z.object({ reportId: z.string().min(1) });

export const reportExportJob: JobHandler = async (message, env, ctx) => {
  const { reportId } = payload.parse(message.payload);
  await writeReportExport(env, reportId, { last: ctx.lastAttempt });
};

// JOBS `user.data_export`: writes the file of one personal-data export (services/users/write-data-export.ts).
import { z } from "zod";
import { writeDataExport } from "../services/users/write-data-export";
import type { JobHandler } from "./types";

const payload = z.object({ exportId: z.string().min(1) });

export const dataExportJob: JobHandler = async (message, env, ctx) => {
  const { exportId } = payload.parse(message.payload);
  await writeDataExport(env, exportId, { last: ctx.lastAttempt });
};

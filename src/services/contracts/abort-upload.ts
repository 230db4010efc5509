// Aborts a resumable attachment upload: R2 drops its parts, the upload row closes.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { closeUpload, findOpenUpload } from "../../db/contracts-uploads";
import { fail } from "../../lib/errors";

/** @throws RES001 unknown or already closed upload */
export async function abortUpload(env: Bindings, contractId: string, uploadId: string) {
  const database = db(env.DB);
  const upload = await findOpenUpload(database, contractId, uploadId);
  if (!upload) throw fail.notFound("Upload");
  await env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId).abort();
  await closeUpload(database, uploadId, new Date().toISOString());
  return { uploadId, aborted: true as const };
}

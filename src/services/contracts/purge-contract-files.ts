// Removes a deleted draft's files from R2 (attachments and unfinished uploads).
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { closeUpload, openUploadsOf } from "../../db/contracts-uploads";
import { log } from "../../lib/request-context";

/**
 * Best effort after the deletion committed: a leftover object is unreachable anyway (downloads need the contract's
 * attachment record), so a failure is logged rather than undoing the deletion.
 */
export async function purgeContractFiles(env: Bindings, contractId: string): Promise<void> {
  try {
    const database = db(env.DB);
    const open = await openUploadsOf(database, contractId);
    for (const upload of open) {
      await env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId).abort();
      await closeUpload(database, upload.id, new Date().toISOString());
    }
    let cursor: string | undefined;
    do {
      const page = await env.DOCUMENTS.list({ prefix: `contracts/${contractId}/`, cursor });
      if (page.objects.length) await env.DOCUMENTS.delete(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    log("warn", "could not purge a deleted contract's files", { contractId, error });
  }
}

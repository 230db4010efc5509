// Opens a resumable R2 multipart upload for a draft's large attachment and records it.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { insertUpload } from "../../db/contracts-uploads";
import { newId } from "../../lib/ids";
import { attachmentKey, requireDraft, safeName } from "../../lib/attachments";
import { MIN_PART_BYTES } from "../../domain/upload-parts";

/**
 * @returns the upload id (an att_ id, the attachment's id once completed), the sanitised name, the part size floor
 * @throws RES001 no contract, RES002 not a draft
 */
export async function startUpload(env: Bindings, actorId: string, contractId: string, name: string) {
  await requireDraft(env, contractId);
  const uploadId = newId("att");
  const key = attachmentKey(contractId, uploadId);
  const upload = await env.DOCUMENTS.createMultipartUpload(key);
  await insertUpload(db(env.DB), {
    id: uploadId,
    contractId,
    r2Key: key,
    r2UploadId: upload.uploadId,
    name: safeName(name),
    contentType: "application/octet-stream",
    createdBy: actorId,
    createdAt: new Date().toISOString(),
  });
  return { uploadId, name: safeName(name), minPartBytes: MIN_PART_BYTES, parts: [] };
}

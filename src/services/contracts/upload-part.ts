// Stores one part of a resumable attachment upload, refusing now a part R2 would only refuse at complete.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { findOpenUpload, recordPart, uploadedParts } from "../../db/contracts-uploads";
import { ApiError, fail } from "../../lib/errors";
import { requireDraft } from "../../lib/attachments";
import { checkIncomingPart } from "../../domain/upload-parts";

/**
 * @param part its declared content type (must be application/octet-stream) and a reader of its bytes, read only
 * once the upload is known
 * @returns the stored part { partNumber, etag, size (bytes) }
 * @throws RES001 unknown or closed upload, VAL004 another content type, VAL001 empty or a part that breaks R2's
 * size rules, RES002 no longer a draft
 */
export async function uploadPart(
  env: Bindings,
  contractId: string,
  uploadId: string,
  partNumber: number,
  part: { contentType: string; read: () => Promise<ArrayBuffer> },
) {
  const database = db(env.DB);
  const upload = await findOpenUpload(database, contractId, uploadId);
  if (!upload) throw fail.notFound("Upload");
  if (!part.contentType.toLowerCase().startsWith("application/octet-stream")) {
    throw new ApiError("VAL004", "Send each part as application/octet-stream");
  }
  const body = new Uint8Array(await part.read());
  if (body.byteLength === 0) throw fail.invalid([{ path: "body", message: "empty part" }]);
  // R2 would accept this part now and refuse the whole upload at complete: decide here, naming the part.
  const problem = checkIncomingPart(await uploadedParts(database, uploadId), { partNumber, size: body.byteLength });
  if (problem) {
    const detail = { path: "partNumber", message: problem.message, partNumber: problem.partNumber };
    throw fail.invalid([detail], problem.message);
  }
  await requireDraft(env, contractId);
  const r2 = env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId);
  const uploaded = await r2.uploadPart(partNumber, body);
  const stored = { partNumber, etag: uploaded.etag, size: body.byteLength };
  await recordPart(database, uploadId, stored);
  return stored;
}

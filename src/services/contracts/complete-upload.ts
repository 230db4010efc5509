// Completes a resumable attachment upload: every part present and well sized, the assembled file's type decided by
// its magic bytes, its SHA-256 computed, the attachment recorded on the draft.
import type { Bindings } from "../../env";
import { db } from "../../db/client";
import { closeUpload, findOpenUpload, uploadedParts } from "../../db/contracts-uploads";
import { fail } from "../../lib/errors";
import { SNIFF_BYTES, sniffFileType } from "../../lib/image-type";
import { ATTACHMENT_TYPES, attach, requireDraft, unsupported } from "../../lib/attachments";
import { checkPartSet } from "../../domain/upload-parts";
import type { AttachmentMeta } from "../../domain/contract-machine";

async function sha256Hex(stream: ReadableStream<Uint8Array>): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  await stream.pipeTo(digest);
  return [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * @returns the attachment as recorded on the contract (its id is the upload id)
 * @throws RES001 unknown or closed upload, RES002 parts missing or badly sized or no longer a draft,
 * VAL004 type not allowed (the object is removed)
 */
export async function completeUpload(
  env: Bindings,
  actorId: string,
  contractId: string,
  uploadId: string,
): Promise<AttachmentMeta> {
  const database = db(env.DB);
  const upload = await findOpenUpload(database, contractId, uploadId);
  if (!upload) throw fail.notFound("Upload");
  const parts = await uploadedParts(database, uploadId);
  const gap = parts.findIndex((p, i) => p.partNumber !== i + 1);
  if (parts.length === 0 || gap !== -1) {
    throw fail.conflict("Parts are missing; upload them before completing", { missingPart: gap === -1 ? 1 : gap + 1 });
  }
  // Parts are checked as they arrive; this catches uploads whose parts were stored before those checks existed.
  const problem = checkPartSet(parts);
  if (problem) throw fail.conflict(problem.message, { partNumber: problem.partNumber });
  await requireDraft(env, contractId);
  const r2 = env.DOCUMENTS.resumeMultipartUpload(upload.r2Key, upload.r2UploadId);
  await r2.complete(parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
  await closeUpload(database, uploadId, new Date().toISOString());

  const head = await env.DOCUMENTS.get(upload.r2Key, { range: { offset: 0, length: SNIFF_BYTES } });
  const sniffed = head ? sniffFileType(new Uint8Array(await head.arrayBuffer()), ATTACHMENT_TYPES) : null;
  if (!sniffed) {
    await env.DOCUMENTS.delete(upload.r2Key);
    throw unsupported();
  }
  const whole = await env.DOCUMENTS.get(upload.r2Key);
  if (!whole) throw fail.notFound("Upload");
  const sha256 = await sha256Hex(whole.body);
  return attach(env, { userId: actorId }, contractId, {
    id: uploadId,
    name: upload.name,
    contentType: sniffed.mime,
    size: whole.size,
    sha256,
    uploadedBy: actorId,
    createdAt: new Date().toISOString(),
  });
}

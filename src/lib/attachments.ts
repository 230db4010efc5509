// The mechanics every contract attachment path shares (direct upload, resumable upload, inbound email): the
// allow-list decided by magic bytes, the R2 key, the draft-only rule checked before writing, and recording the
// stored object on the contract through its room.
import { ApiError, fail } from "./errors";
import { GIF, JPEG, PDF, PNG, SNIFF_BYTES, WEBP, ZIP, sniffFileType, type FileType } from "./image-type";
import type { Bindings, Principal } from "../env";
import type { AttachmentMeta } from "../domain/contract-machine";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";

export const ATTACHMENT_TYPES: readonly FileType[] = [PDF, PNG, JPEG, WEBP, GIF, ZIP];
export const DIRECT_UPLOAD_MAX_BYTES = 25 * 1024 * 1024;

export const attachmentKey = (contractId: string, attachmentId: string) =>
  `contracts/${contractId}/attachments/${attachmentId}`;
export const safeName = (name: string) => name.replace(/[\u0000-\u001f"\\/]/g, "_").slice(0, 200) || "file";

export function unsupported(): ApiError {
  return new ApiError("VAL004", `Unsupported file type; allowed: ${ATTACHMENT_TYPES.map((t) => t.ext).join(", ")}`);
}

/** VAL003 for a file over the direct-upload limit: larger files go through the resumable uploads. */
export function tooLargeForDirectUpload(): ApiError {
  return new ApiError("VAL003", `Files over ${DIRECT_UPLOAD_MAX_BYTES} bytes go through /uploads`, {
    details: { maxBytes: DIRECT_UPLOAD_MAX_BYTES },
  });
}

/**
 * Decided before anything is written to R2: files attach to drafts only (RES002 otherwise). The room re-checks
 * when recording, so a contract sent in between still refuses (and the object is removed again).
 */
export async function requireDraft(env: Bindings, contractId: string): Promise<void> {
  const state = await contractRoom(env, contractId).get();
  if (!state) throw fail.notFound("Contract");
  if (state.status !== "draft") {
    const details = { status: state.status };
    throw fail.conflict(`Only a draft can have files attached; this contract is ${state.status}`, details);
  }
}

/** Records the stored object on the contract; if the room refuses (not a draft), the object is removed again. */
export async function attach(
  env: Bindings,
  principal: Pick<Principal, "userId">,
  contractId: string,
  meta: AttachmentMeta,
): Promise<AttachmentMeta> {
  const result = await contractRoom(env, contractId).addAttachment(principal.userId, meta);
  if (!result.ok) await env.DOCUMENTS.delete(attachmentKey(contractId, meta.id));
  unwrap(result);
  return meta;
}

/** The checks every whole-file attachment passes (size, type by magic bytes); throws VAL001/VAL003/VAL004. */
export function checkAttachment(bytes: Uint8Array): FileType {
  if (bytes.byteLength === 0) throw fail.invalid([{ path: "file", message: "the file is empty" }]);
  if (bytes.byteLength > DIRECT_UPLOAD_MAX_BYTES) throw tooLargeForDirectUpload();
  const sniffed = sniffFileType(bytes.subarray(0, SNIFF_BYTES), ATTACHMENT_TYPES);
  if (!sniffed) throw unsupported();
  return sniffed;
}

// Stores one whole file as a draft's attachment: checked, written to R2, recorded on the contract (direct uploads
// and inbound email).
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { attach, attachmentKey, checkAttachment, requireDraft, safeName } from "../../lib/attachments";
import type { AttachmentMeta } from "../../domain/contract-machine";

/**
 * @param file the name as sent (sanitised here) and the whole content
 * @returns the attachment as recorded on the contract
 * @throws VAL001 empty, VAL003 over 25 MiB, VAL004 type not allowed, RES001 no contract, RES002 not a draft
 */
export async function storeAttachment(
  env: Bindings,
  actorId: string,
  contractId: string,
  file: { name: string; bytes: Uint8Array },
): Promise<AttachmentMeta> {
  const { bytes } = file;
  const sniffed = checkAttachment(bytes);
  await requireDraft(env, contractId);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha256 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  const attId = newId("att");
  const name = safeName(file.name || `attachment.${sniffed.ext}`);
  await env.DOCUMENTS.put(attachmentKey(contractId, attId), bytes, {
    httpMetadata: { contentType: sniffed.mime },
    customMetadata: { name, sha256 },
    sha256,
  });
  return attach(env, { userId: actorId }, contractId, {
    id: attId,
    name,
    contentType: sniffed.mime,
    size: bytes.byteLength,
    sha256,
    uploadedBy: actorId,
    createdAt: new Date().toISOString(),
  });
}

// The executed contract PDF (issue 14.2): rendered once the contract is active from its signed state — parties'
// signature blocks, drawn/uploaded images from R2, the owner as sender — then kept in R2 so its bytes and SHA-256
// never change afterwards (a later font or layout change cannot alter an executed document).
import type { Bindings } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { sha256Hex } from "../../lib/crypto";
import { assetFontLoader } from "../../lib/fonts";
import { executedDocumentKey, renderExecutedPdf } from "../../lib/contract-pdf";
import { findUserById } from "../../db/users";
import { contractView } from "../../domain/contract-view";
import { contractRoom } from "../../../durable-objects/contract-room";

/**
 * @returns the PDF bytes and their SHA-256 (hex)
 * @throws RES001 unknown contract; RES002 while the contract is not yet active (or was never executed)
 */
export async function getExecutedDocument(env: Bindings, contractId: string): Promise<{ pdf: Uint8Array; sha256: string }> {
  const stored = await env.DOCUMENTS.get(executedDocumentKey(contractId));
  if (stored) {
    const pdf = new Uint8Array(await stored.arrayBuffer());
    return { pdf, sha256: stored.customMetadata?.sha256 ?? sha256Hex(pdf) };
  }
  const state = await contractRoom(env, contractId).get();
  if (!state) throw fail.notFound("Contract");
  if ((state.status !== "active" && state.status !== "completed") || !state.activatedAt || !state.documentHash) {
    throw fail.conflict(`The executed document exists once every party signed; this contract is ${state.status}`);
  }
  const owner = await findUserById(env.DB, state.ownerId);
  const images = new Map<string, { bytes: Uint8Array; type: string }>();
  for (const s of state.signers) {
    const sig = s.signature as { imageKey?: string | null; imageType?: string | null } | null;
    if (!sig?.imageKey) continue;
    const image = await env.DOCUMENTS.get(sig.imageKey);
    if (!image) throw new ApiError("SYS002", "A signature image is temporarily unavailable");
    images.set(s.id, { bytes: new Uint8Array(await image.arrayBuffer()), type: sig.imageType ?? "image/png" });
  }
  const pdf = await renderExecutedPdf(
    {
      content: contractView(state),
      documentHash: state.documentHash,
      activatedAt: state.activatedAt,
      owner: { id: state.ownerId, name: owner?.name ?? "(deleted account)", email: owner?.email ?? "-" },
      images,
    },
    assetFontLoader(env.ASSETS),
  );
  const sha256 = sha256Hex(pdf);
  await env.DOCUMENTS.put(executedDocumentKey(contractId), pdf, {
    httpMetadata: { contentType: "application/pdf" },
    customMetadata: { sha256 },
  });
  return { pdf, sha256 };
}

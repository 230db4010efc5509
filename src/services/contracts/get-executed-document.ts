// The executed contract PDF (issue 14.2): produced when the contract becomes active (the contract.activated event's
// consumer, src/jobs/executed-document.ts) or on first request, from the signed state — parties' signature blocks,
// drawn/uploaded images from R2, the owner as sender — then PAdES-sealed and kept in R2 (src/lib/sealed-store.ts), so
// its bytes and SHA-256 never change afterwards except to add a timestamp the TSA could not give at first. Every
// hash it is stored under is anchored as a "document" record of the contract, so /verify knows the file.
import type { Bindings } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { enqueueAnchor } from "../../lib/anchoring";
import { assetFontLoader } from "../../lib/fonts";
import { keepSealed, type SealLevel } from "../../lib/sealed-store";
import { executedDocumentKey, renderExecutedPdf } from "../../lib/contract-pdf";
import { findUserById } from "../../db/users";
import { contractView } from "../../domain/contract-view";
import { contractRoom } from "../../../durable-objects/contract-room";

/**
 * @returns the sealed PDF bytes, their SHA-256 (hex) and how it is sealed
 * @throws RES001 unknown contract; RES002 while the contract is not yet active (or was never executed)
 */
export async function getExecutedDocument(
  env: Bindings,
  contractId: string,
): Promise<{ pdf: Uint8Array; sha256: string; seal: SealLevel }> {
  const render = () => renderExecuted(env, contractId);
  const kept = await keepSealed(env, executedDocumentKey(contractId), render, "Executed contract, sealed by Escra");
  // Idempotent per (kind, contract, hash): a retried job or a second reader queues nothing twice.
  if (kept.changed) await enqueueAnchor(env, { kind: "document", hash: kept.sha256, contractId });
  return { pdf: kept.pdf, sha256: kept.sha256, seal: kept.seal };
}

async function renderExecuted(env: Bindings, contractId: string): Promise<Uint8Array> {
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
  return renderExecutedPdf(
    {
      content: contractView(state),
      documentHash: state.documentHash,
      activatedAt: state.activatedAt,
      owner: { id: state.ownerId, name: owner?.name ?? "(deleted account)", email: owner?.email ?? "-" },
      images,
    },
    assetFontLoader(env.ASSETS),
  );
}

// The executed contract PDF (issue 14.2): produced when the contract becomes active (the contract.activated event's
// consumer, src/jobs/executed-document.ts) or on first request, from the signed state — parties' signature blocks,
// drawn/uploaded images from R2, the owner as sender — then PAdES-sealed and kept in R2 (src/lib/sealed-store.ts).
// Once its seal is final (timestamped, or no timestamp can be had) its exact bytes are kept under their own SHA-256
// and the contract's execution record is made over that hash (ContractRoom.recordExecution): from then on the file
// never changes, and SHA-256(file) → execution record → Merkle proof → on-chain root holds for whoever holds it.
import type { Bindings } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { assetFontLoader } from "../../lib/fonts";
import { keepSealed, type SealLevel } from "../../lib/sealed-store";
import { executedDocumentKey, executedVersionKey, renderExecutedPdf } from "../../lib/contract-pdf";
import { findUserById } from "../../db/users";
import { contractView } from "../../domain/contract-view";
import { wasExecuted } from "../../domain/contract-machine";
import { unwrap } from "../../../durable-objects/lib/rpc-result";
import { contractRoom } from "../../../durable-objects/contract-room";
import type { ExecutionRecord } from "../../../durable-objects/contract-room/signing";

export interface ExecutedDocument {
  pdf: Uint8Array;
  /** SHA-256 of `pdf`, lowercase hex. */
  sha256: string;
  seal: SealLevel;
  /** The execution record over `pdf`; null while the seal still waits for a timestamp (the file may change once). */
  execution: ExecutionRecord | null;
}

/**
 * Whether a seal is final: timestamped, or no timestamp can be had (sealing off, no TSA configured), or the caller
 * gives up waiting for the TSA (`acceptUntimestamped`, the job's last attempt).
 */
export function sealIsFinal(seal: SealLevel, tsaConfigured: boolean, acceptUntimestamped: boolean): boolean {
  return seal !== "untimestamped" || !tsaConfigured || acceptUntimestamped;
}

/**
 * @param options.acceptUntimestamped make the execution record even over a seal without a timestamp (the render
 *   job's last attempt: the TSA stayed down)
 * @returns the PDF as served from now on, its SHA-256, its seal and the execution record over it (once final)
 * @throws RES001 unknown contract; RES002 while the contract is not yet active (or was never executed); SYS002 when
 *   a stored file is temporarily unavailable
 */
export async function getExecutedDocument(
  env: Bindings,
  contractId: string,
  options: { acceptUntimestamped?: boolean } = {},
): Promise<ExecutedDocument> {
  const room = contractRoom(env, contractId);
  const recorded = await room.executionRecord();
  if (recorded) return { ...(await readRecorded(env, contractId, recorded)), execution: recorded };

  const render = () => renderExecuted(env, contractId);
  const kept = await keepSealed(env, executedDocumentKey(contractId), render, "Executed contract, sealed by Escra");
  if (!sealIsFinal(kept.seal, Boolean(env.TSA_URL), options.acceptUntimestamped ?? false)) {
    return { pdf: kept.pdf, sha256: kept.sha256, seal: kept.seal, execution: null };
  }
  // Stored under its hash before the record names it, so the recorded bytes exist whichever caller records first
  // (a racing call may re-seal the working copy, never these).
  await env.DOCUMENTS.put(executedVersionKey(contractId, kept.sha256), kept.pdf, {
    httpMetadata: { contentType: "application/pdf" },
    customMetadata: { sha256: kept.sha256, seal: kept.seal },
  });
  const execution = unwrap(await room.recordExecution(kept.sha256));
  if (execution.executedDocumentHash === kept.sha256)
    return { pdf: kept.pdf, sha256: kept.sha256, seal: kept.seal, execution };
  return { ...(await readRecorded(env, contractId, execution)), execution };
}

async function readRecorded(env: Bindings, contractId: string, execution: ExecutionRecord) {
  const object = await env.DOCUMENTS.get(executedVersionKey(contractId, execution.executedDocumentHash));
  if (!object) throw new ApiError("SYS002", "The executed document is temporarily unavailable");
  const pdf = new Uint8Array(await object.arrayBuffer());
  return {
    pdf,
    sha256: execution.executedDocumentHash,
    seal: (object.customMetadata?.seal ?? "unsealed") as SealLevel,
  };
}

async function renderExecuted(env: Bindings, contractId: string): Promise<Uint8Array> {
  const state = await contractRoom(env, contractId).get();
  if (!state) throw fail.notFound("Contract");
  if (!wasExecuted(state)) {
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

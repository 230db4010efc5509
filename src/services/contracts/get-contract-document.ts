// The contract as PDF: a draft is rendered now from its current content; once the signing flow has frozen the
// document at send (documentHash set), that exact stored file is served and never re-rendered.
import type { Bindings } from "../../env";
import { ApiError } from "../../lib/errors";
import { digestSha256Hex } from "../../lib/crypto";
import { assetFontLoader } from "../../lib/fonts";
import { frozenDocumentKey, renderContractPdf } from "../../lib/contract-pdf";
import type { ContractView } from "../../domain/contract-view";

/**
 * @returns the PDF's bytes (a stream for the frozen file) and its SHA-256, lowercase hex
 * @throws ApiError SYS002 when the contract was frozen but its file is missing from R2 (a storage fault: rendering
 *   a different document instead would break the hash the parties were shown)
 */
export async function getContractDocument(
  env: Bindings,
  contract: ContractView,
): Promise<{ body: ReadableStream | Uint8Array; sha256: string }> {
  if (contract.documentHash) {
    const frozen = await env.DOCUMENTS.get(frozenDocumentKey(contract.id));
    if (!frozen) throw new ApiError("SYS002", "The contract's document is temporarily unavailable");
    return { body: frozen.body, sha256: contract.documentHash };
  }
  const pdf = await renderContractPdf(contract, assetFontLoader(env.ASSETS));
  return { body: pdf, sha256: await digestSha256Hex(pdf) };
}

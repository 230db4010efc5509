// The anchoring record as API.md shows it (with its proof), shared by GET /contracts/:id/anchor and POST /verify.
import { z } from "@hono/zod-openapi";
import { isoDate } from "../lib/openapi";
import type { AnchorRecordRow } from "../db/anchors";
import { ANCHOR_KINDS, ANCHOR_STATUSES } from "../db/schema/anchoring";

export const hex32 = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/)
  .openapi({ example: `0x${"ab".repeat(32)}` });

export const anchorRecordSchema = z
  .object({
    id: z.string().openapi({ example: "anc_0123456789abcdefghij" }),
    contractId: z.string(),
    kind: z.enum(ANCHOR_KINDS),
    hash: hex32.openapi({
      description:
        'the anchored value: "document", SHA-256 of the frozen PDF as sent; "execution", the execution hash ' +
        "(escra-execution-v2: SHA-256 of canonical JSON over the executed PDF's and the frozen PDF's SHA-256, the " +
        "signatures and the audit chain head)",
    }),
    executedDocumentHash: hex32.nullable().openapi({
      description:
        "on an execution record: SHA-256 of the executed PDF (GET /contracts/{id}/executed-document, the sealed " +
        "bytes) that `hash` commits to; POST /verify of that PDF finds this record. null on document records",
    }),
    status: z.enum(ANCHOR_STATUSES),
    proof: z
      .object({
        leaf: hex32.openapi({ description: "keccak256(keccak256(abi.encode(bytes32 hash)))" }),
        path: z.array(hex32).openapi({ description: "sibling hashes, leaf to root (OpenZeppelin getProof order)" }),
        root: hex32.openapi({ description: "the Merkle root; exactly the transaction's input data" }),
      })
      .nullable()
      .openapi({ description: "null while the record waits for a batch" }),
    network: z.object({ name: z.string(), chainId: z.number().int() }),
    txHash: hex32.nullable(),
    blockNumber: z.number().int().nullable(),
    confirmations: z.number().int(),
    anchoredAt: isoDate.nullable(),
    confirmedAt: isoDate.nullable(),
  })
  .openapi("AnchorRecord");

/** The API shape of a record; a proof is shown only once its transaction is in a block. */
export function anchorRecordView(r: AnchorRecordRow) {
  const settled = r.status === "anchored" || r.status === "confirmed";
  return {
    id: r.id,
    contractId: r.contractId,
    kind: r.kind,
    hash: r.hash,
    executedDocumentHash: r.executedDocumentHash ?? null,
    status: r.status,
    proof:
      settled && r.leaf && r.proof && r.root
        ? { leaf: r.leaf, path: JSON.parse(r.proof) as string[], root: r.root }
        : null,
    network: { name: r.network, chainId: r.chainId },
    txHash: settled ? r.txHash : null,
    blockNumber: settled ? r.blockNumber : null,
    confirmations: settled ? r.confirmations : 0,
    anchoredAt: r.anchoredAt,
    confirmedAt: r.confirmedAt,
  };
}

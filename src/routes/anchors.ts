// GET /contracts/:id/anchor: the anchoring records of a contract with their proofs, for whoever may see the contract.
// Also the record schema and view shared with POST /verify.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, isoDate, jsonContent } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { recordsOfContract, type AnchorRecordRow } from "../db/anchors";
import { headBlocks, withLiveConfirmations } from "../lib/anchor-verify";
import { ANCHOR_KINDS, ANCHOR_STATUSES } from "../db/schema/anchoring";
import { requireContractAccess } from "./contracts-guard";
import { contractIdParam } from "./contracts-schemas";

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/).openapi({ example: `0x${"ab".repeat(32)}` });

export const anchorRecordSchema = z
  .object({
    id: z.string().openapi({ example: "anc_0123456789abcdefghij" }),
    contractId: z.string(),
    kind: z.enum(ANCHOR_KINDS),
    hash: hex32.openapi({ description: "the anchored value: SHA-256 of the document, or the execution hash" }),
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
    status: r.status,
    proof: settled && r.leaf && r.proof && r.root ? { leaf: r.leaf, path: JSON.parse(r.proof) as string[], root: r.root } : null,
    network: { name: r.network, chainId: r.chainId },
    txHash: settled ? r.txHash : null,
    blockNumber: settled ? r.blockNumber : null,
    confirmations: settled ? r.confirmations : 0,
    anchoredAt: r.anchoredAt,
    confirmedAt: r.confirmedAt,
  };
}

const getAnchorRoute = createRoute({
  tags: ["Anchoring"],
  middleware: [requireScope("contracts:read")] as const,
  security: [{ bearer: [] }],
  method: "get",
  path: "/contracts/{id}/anchor",
  summary: "Anchoring records of a contract, with their OpenZeppelin Merkle proofs",
  description:
    "One record per anchored value (the sent document, the executed contract) and network. `proof` verifies with " +
    "`StandardMerkleTree.verify(root, [\"bytes32\"], [hash], path)`; the transaction's input data is the root.",
  request: { params: contractIdParam },
  responses: {
    200: jsonContent(envelope(z.object({ records: z.array(anchorRecordSchema) })), "the records, oldest first"),
    ...errorResponses("AUTH003", "AUTH004", "RES001"),
  },
});

export const anchorRoutes = createRouter().openapi(getAnchorRoute, async (c) => {
  const { id } = c.req.valid("param");
  await requireContractAccess(c.env, principalOf(c), id, "view");
  const rows = await recordsOfContract(c.env.DB, id);
  const live = withLiveConfirmations(c.env, rows, await headBlocks(c.env, rows));
  return ok(c, { records: live.map(anchorRecordView) }, 200);
});

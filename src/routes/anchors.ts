// GET /contracts/:id/anchor: the anchoring records of a contract with their proofs, for whoever may see the contract.
// Also the record schema and view shared with POST /verify.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { recordsOfContract } from "../db/anchors";
import { headBlocks, withLiveConfirmations } from "../lib/anchor-verify";
import { requireContractAccess } from "../lib/contract-guard";
import { contractIdParam } from "../schemas/contracts";
import { anchorRecordSchema, anchorRecordView } from "../schemas/anchors";

const getAnchorRoute = createRoute({
  ...bearerRoute("Anchoring", requireScope("contracts:read")),
  method: "get",
  path: "/contracts/{id}/anchor",
  summary: "Anchoring records of a contract, with their OpenZeppelin Merkle proofs",
  description:
    "One record per anchored value and network: `document`, the SHA-256 of the frozen PDF as sent; `execution`, " +
    "the execution hash over the executed PDF (its SHA-256 is the record's `executedDocumentHash`), the frozen " +
    "PDF's hash, the signatures and the audit chain — made once the executed PDF is sealed. `proof` verifies with " +
    '`StandardMerkleTree.verify(root, ["bytes32"], [hash], path)`; the transaction\'s input data is the root.',
  request: { params: contractIdParam },
  responses: answers(
    200,
    envelope(z.object({ records: z.array(anchorRecordSchema) })),
    "the records, oldest first",
    "AUTH003",
    "AUTH004",
    "RES001",
  ),
});

export const anchorRoutes = createRouter().openapi(getAnchorRoute, async (c) => {
  const { id } = c.req.valid("param");
  await requireContractAccess(c.env, principalOf(c), id, "view");
  const rows = await recordsOfContract(c.env.DB, id);
  const live = withLiveConfirmations(c.env, rows, await headBlocks(c.env, rows));
  return ok(c, { records: live.map(anchorRecordView) }, 200);
});

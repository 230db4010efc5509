// GET /contracts/:id/document: the contract as PDF. A draft is rendered on the fly from its current content; once
// the signing flow has frozen the document at send (documentHash set), that exact stored file is served.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answersRaw, fileContent } from "../lib/openapi";
import { contentDisposition } from "../lib/content-disposition";
import { fail } from "../lib/errors";
import { partyReadable } from "../lib/signing-access";
import { getContractDocument } from "../services/contracts/get-contract-document";
import { getExecutedDocument } from "../services/contracts/get-executed-document";
import { db } from "../db/client";
import { findContract } from "../db/contracts";
import { contractReader } from "../lib/contract-guard";
import { contractIdParam } from "../schemas/contracts";

const documentRoute = createRoute({
  ...partyReadable,
  method: "get",
  path: "/contracts/{id}/document",
  summary:
    "The contract as PDF (drafts rendered now; the frozen document once sent). X-Document-SHA256 carries its hash.",
  request: { params: contractIdParam },
  responses: answersRaw(200, fileContent("the PDF", "application/pdf"), "AUTH002", "AUTH004", "RES001", "SYS002"),
});

const executedRoute = createRoute({
  ...partyReadable,
  method: "get",
  path: "/contracts/{id}/executed-document",
  summary: "The executed contract as PDF: the signed document with every party's signature block (once active)",
  description:
    "Produced when the contract becomes active and kept unchanged from then on: the frozen document's content, " +
    "then per party the name, role, typed signature (handwriting face) or drawn/uploaded image, wallet address for " +
    "EIP-712, signing time and signer id, with the owner as sender. Sealed with a PAdES baseline signature " +
    "(ETSI.CAdES.detached) by the platform's sealing certificate with an RFC 3161 timestamp (B-T); when the " +
    "Time-Stamping Authority was down it is sealed without one and re-sealed once the TSA answers. Once the seal is " +
    "final the file never changes and the contract's execution record commits to it: X-Document-SHA256 carries the " +
    "file's SHA-256 (the execution record's `executedDocumentHash`), X-Execution-Hash the execution record's hash " +
    "(anchored as the contract's `execution` record; empty while the seal still waits for its timestamp), " +
    "X-Document-Seal `timestamped`, `untimestamped` or `unsealed`. RES002 before every required party has signed.",
  request: { params: contractIdParam },
  responses: answersRaw(
    200,
    fileContent("the PDF", "application/pdf"),
    "AUTH002",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
    "SYS002",
  ),
});

export const contractDocumentRoutes = createRouter()
  .openapi(executedRoute, async (c) => {
    const { id } = c.req.valid("param");
    // A party's signing token reads it too once executed (API.md: the token's reach); before that, RES002.
    const reader = await contractReader(c, id);
    const title = reader.kind === "party" ? reader.contract.title : (await findContract(db(c.env.DB), id))?.title;
    const { pdf, sha256, seal, execution } = await getExecutedDocument(c.env, id);
    return new Response(pdf, {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": contentDisposition("inline", `${title || id} (executed).pdf`),
        "x-document-sha256": sha256,
        "x-document-seal": seal,
        "x-execution-hash": execution?.executionHash ?? "",
      },
    }) as never;
  })
  .openapi(documentRoute, async (c) => {
    const { id } = c.req.valid("param");
    const reader = await contractReader(c, id);
    const contract = reader.kind === "party" ? reader.contract : await findContract(db(c.env.DB), id);
    if (!contract) throw fail.notFound("Contract");
    const { body, sha256 } = await getContractDocument(c.env, contract);
    return new Response(body, {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": contentDisposition("inline", `${contract.title || id}.pdf`),
        "x-document-sha256": sha256,
      },
    }) as never;
  });

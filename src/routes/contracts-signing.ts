// The execution half of /contracts/:id: send, approve, sign, decline, cancel, complete. Parties act with their
// account (matched by verified email) or with the signing token of their email link (X-Signing-Token, no account).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { createRouter } from "../lib/router";
import { answers, answersRaw, bearerRoute, envelope, fileContent, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { contentDisposition } from "../lib/content-disposition";
import { ApiError, fail } from "../lib/errors";
import { hasScope, principalOf, requireScope } from "../lib/auth";
import { requestOrigin } from "../lib/audit";
import { newId } from "../lib/ids";
import { partyReadable, partyRoute } from "../lib/signing-access";
import { buildSignatureRecord } from "../lib/signatures";
import { getCertificate } from "../services/contracts/get-certificate";
import { db } from "../db/client";
import { verifiedEmailOf } from "../db/contract-access";
import { matchingWorkflowApprovers } from "../db/workflows";
import { contractView } from "../domain/contract-view";
import { signBody } from "../domain/signing";
import type { ContractState, Signer } from "../domain/contract-machine";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { contractReader, requireContractAccess } from "../lib/contract-guard";
import { contractIdParam, contractSchema } from "../schemas/contracts";

const reason = z.string().trim().min(1).max(2000);

const sendBody = z
  .object({
    message: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .openapi({ description: "A note to the parties, quoted in their signing emails" }),
    reminders: z
      .object({
        firstAfterHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .optional(),
        everyHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .optional(),
        max: z.number().int().min(0).max(20).optional(),
        escalateAfterHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .nullable()
          .optional(),
      })
      .optional(),
  })
  .openapi("SendContract");

const partyResponses = answers(
  200,
  envelope(contractSchema),
  "the contract after the action",
  "AUTH002",
  "AUTH003",
  "AUTH004",
  "RES001",
  "RES002",
);
// The party's account, or the signing token of its email link (verified by the guard; partyOf finds the party).
const party = { ...partyRoute("contracts:write"), method: "post" as const };

const ownerRoute = (path: string, summary: string, body: z.ZodType) =>
  createRoute({
    ...bearerRoute("Contracts", requireScope("contracts:write")),
    method: "post",
    path,
    summary,
    request: { params: contractIdParam, body: jsonBody(body) },
    responses: answers(
      200,
      envelope(contractSchema),
      "the contract after the action",
      "AUTH003",
      "AUTH004",
      "RES001",
      "RES002",
    ),
  });

const sendRoute = ownerRoute(
  "/contracts/{id}/send",
  "Send a draft: freeze the document (documentHash), apply workflow rules, notify the first routing order",
  sendBody,
);
const cancelRoute = ownerRoute(
  "/contracts/{id}/cancel",
  "Cancel (owner) with a reason",
  z.object({ reason }).openapi("CancelContract"),
);
const completeRoute = ownerRoute(
  "/contracts/{id}/complete",
  "Mark an active contract completed (owner)",
  z.object({}).openapi("CompleteContract"),
);
const approveRoute = createRoute({
  ...party,
  path: "/contracts/{id}/approve",
  summary: "Approve (an approver whose turn it is)",
  request: { params: contractIdParam },
  responses: partyResponses,
});
const signRoute = createRoute({
  ...party,
  path: "/contracts/{id}/sign",
  summary:
    "Sign (the signer whose turn it is): typed, drawn, uploaded or wallet (EIP-712 over contractId, documentHash, signerEmail)",
  request: { params: contractIdParam, body: jsonBody(signBody) },
  responses: partyResponses,
});
const declineRoute = createRoute({
  ...party,
  path: "/contracts/{id}/decline",
  summary: "Decline with a reason (a signer or approver who has not acted) → cancelled",
  request: { params: contractIdParam, body: jsonBody(z.object({ reason }).openapi("DeclineContract")) },
  responses: partyResponses,
});

const certificateRoute = createRoute({
  method: "get",
  path: "/contracts/{id}/certificate",
  summary: "Certificate of completion (PDF) once active: parties, actions, times, IPs, document hash, audit chain head",
  description:
    "Sender; every party by name and email with their signature image or typed signature, consent, times with UTC " +
    "offset, IP and user agent; the document, executed-document and execution hashes; the audit chain with actor " +
    "names; the anchoring records (network, transaction, block) with how to verify offline, and a QR code to " +
    "GET /verify. PAdES-sealed like the executed document (X-Document-Seal); a new certificate is made when the " +
    "audit chain or the anchoring state moves on.",
  ...partyReadable,
  request: { params: contractIdParam },
  responses: answersRaw(
    200,
    fileContent(
      "the PDF. X-Document-SHA256: the frozen PDF's hash; X-Executed-Document-SHA256: the executed PDF's hash; " +
        "X-Execution-Hash: the execution record over the executed PDF (both empty until the executed PDF is sealed " +
        "and the record made, see GET /contracts/{id}/executed-document); X-Audit-Head: seq:hash",
      "application/pdf",
    ),
    "AUTH002",
    "AUTH004",
    "RES001",
    "RES002",
  ),
});

interface Actor {
  actorId: string | null;
  signer: Signer;
  state: ContractState;
}

/** Who acts: the signing token's party (as its own account only if that is the bearer's), else the caller's account matched to a party by verified email. */
async function partyOf(c: Context<AppEnv>, id: string): Promise<Actor> {
  const token = c.get("signingParty");
  const room = contractRoom(c.env, id);
  if (token) {
    const state = await room.get();
    const signer = state?.signers.find((s) => s.id === token.signerId);
    if (!state || !signer) throw fail.notFound("Contract");
    // A bearer sent along names the actor only when it is this party's own account: someone signed in as Alice who
    // opens Bob's link acts as Bob's link, so the audit trail and Bob's consent record never name Alice.
    const principal = c.get("principal");
    const email = principal ? await verifiedEmailOf(db(c.env.DB), principal.userId) : null;
    return { actorId: principal && email === signer.email ? principal.userId : null, signer, state };
  }
  const principal = principalOf(c);
  await requireContractAccess(c.env, principal, id, "view");
  if (!hasScope(principal, "contracts:write"))
    throw new ApiError("AUTH003", "Your role or API key does not allow this");
  const [state, email] = await Promise.all([room.get(), verifiedEmailOf(db(c.env.DB), principal.userId)]);
  const signer = email ? state?.signers.find((s) => s.email === email) : undefined;
  if (!state) throw fail.notFound("Contract");
  if (!signer) throw new ApiError("AUTH003", "You are not a party to this contract");
  return { actorId: principal.userId, signer, state };
}

export const contractSigningRoutes = createRouter()
  .openapi(sendRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as z.infer<typeof sendBody>;
    await requireContractAccess(c.env, principal, id, "owner");
    const room = contractRoom(c.env, id);
    const current = await room.get();
    if (!current) throw fail.notFound("Contract");
    const approvers = (await matchingWorkflowApprovers(c.env, current)).map((a) => ({ ...a, id: newId("sig") }));
    const reminders = Object.fromEntries(Object.entries(body.reminders ?? {}).filter(([, v]) => v !== undefined));
    const state = unwrap(await room.send(principal.userId, { approvers, reminders, message: body.message ?? null }));
    return ok(c, contractView(state), 200);
  })
  .openapi(approveRoute, async (c) => {
    const { id } = c.req.valid("param");
    const party = await partyOf(c, id);
    return ok(
      c,
      contractView(unwrap(await contractRoom(c.env, id).act(party.actorId, party.signer.id, "approve", null))),
      200,
    );
  })
  .openapi(signRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const party = await partyOf(c, id);
    const room = contractRoom(c.env, id);
    // Decided before any side effect: the room records a due expiry and refuses a party who may not sign now
    // (already signed, not their turn…), so a refused attempt never stores a signature image.
    const state = unwrap(await room.checkAct(party.signer.id, "sign"));
    if (!state.documentHash) throw fail.conflict(`This contract is ${state.status}; nothing can be signed now`);
    const origin = requestOrigin(c);
    const record = await buildSignatureRecord(c.env, {
      contractId: id,
      signerId: party.signer.id,
      signerEmail: party.signer.email,
      documentHash: state.documentHash,
      signature: body.signature,
      ip: origin.ip,
      userAgent: origin.userAgent,
      now: new Date().toISOString(),
    });
    return ok(c, contractView(unwrap(await room.act(party.actorId, party.signer.id, "sign", record))), 200);
  })
  .openapi(declineRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { reason: why } = c.req.valid("json");
    const party = await partyOf(c, id);
    return ok(c, contractView(unwrap(await contractRoom(c.env, id).decline(party.actorId, party.signer.id, why))), 200);
  })
  .openapi(cancelRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const { reason: why } = c.req.valid("json") as { reason: string };
    await requireContractAccess(c.env, principal, id, "owner");
    return ok(c, contractView(unwrap(await contractRoom(c.env, id).cancel(principal.userId, why))), 200);
  })
  .openapi(completeRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "owner");
    return ok(c, contractView(unwrap(await contractRoom(c.env, id).complete(principal.userId))), 200);
  })
  .openapi(certificateRoute, async (c) => {
    const { id } = c.req.valid("param");
    await contractReader(c, id);
    const { pdf, sha256, seal, facts, title } = await getCertificate(c.env, id);
    return new Response(pdf, {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": contentDisposition("inline", `${title || id} - certificate.pdf`),
        "x-document-sha256": facts.documentHash,
        "x-executed-document-sha256": facts.executedDocumentHash ?? "",
        "x-execution-hash": facts.executionHash ?? "",
        "x-audit-head": `${facts.auditHead.seq}:${facts.auditHead.hash}`,
        "x-certificate-sha256": sha256,
        "x-document-seal": seal,
      },
    }) as never;
  });

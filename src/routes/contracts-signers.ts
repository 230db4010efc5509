// /contracts/:id/signers: add and remove parties of a draft (role, routing order). Duplicates are RES002.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import { signerView } from "../domain/contract-view";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { requireContractAccess } from "../lib/contract-guard";
import { contractIdParam, signerInput, signerSchema } from "../schemas/contracts";

const write = bearerRoute("Contracts", requireScope("contracts:write"));

const addSignerRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/signers",
  summary: "Add a signer, approver or viewer to a draft",
  request: { params: contractIdParam, body: jsonBody(signerInput) },
  responses: answers(201, envelope(signerSchema), "the new signer", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const removeSignerRoute = createRoute({
  ...write,
  method: "delete",
  path: "/contracts/{id}/signers/{signerId}",
  summary: "Remove a signer from a draft",
  request: {
    params: contractIdParam.extend({
      signerId: z
        .string()
        .regex(/^sig_[0-9A-Za-z]{20}$/, "expected a sig_ id")
        .openapi({ param: { name: "signerId", in: "path" } }),
    }),
  },
  responses: answers(200, envelope(deletedSchema), "removed", "AUTH003", "AUTH004", "RES001", "RES002"),
});

export const contractSignerRoutes = createRouter()
  .openapi(addSignerRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    await requireContractAccess(c.env, principal, id, "edit");
    const signerId = newId("sig");
    const state = unwrap(await contractRoom(c.env, id).addSigner(principal.userId, { ...input, id: signerId }));
    const signer = state.signers.find((s) => s.id === signerId)!;
    return ok(c, signerView(signer), 201);
  })
  .openapi(removeSignerRoute, async (c) => {
    const principal = principalOf(c);
    const { id, signerId } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "edit");
    unwrap(await contractRoom(c.env, id).removeSigner(principal.userId, signerId));
    return ok(c, { id: signerId, deleted: true as const }, 200);
  });

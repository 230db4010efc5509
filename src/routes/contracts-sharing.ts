// /contracts/:id/share: the owner shares a contract with a person (by email, account or not yet) to view or edit,
// lists the shares and revokes them. Shares live in the room's state (audited) and are projected for access checks.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, revokedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import { sendEmail } from "../lib/email";
import { findUserById, findVerifiedUserByEmail } from "../db/users";
import { normalizeEmail, type Share } from "../domain/contract-machine";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { requireContractAccess } from "../lib/contract-guard";
import { contractIdParam } from "../schemas/contracts";

const write = bearerRoute("Contracts", requireScope("contracts:write"));

const shareSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    userId: z.string().nullable(),
    permission: z.enum(["view", "edit"]),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi("ContractShare");

const shareRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts/{id}/share",
  summary: "Share with a person (view or edit); sharing again with the same email changes the permission",
  request: {
    params: contractIdParam,
    body: jsonBody(
      z
        .object({ email: z.string().trim().email().max(254), permission: z.enum(["view", "edit"]) })
        .openapi("ShareContract"),
    ),
  },
  responses: answers(201, envelope(shareSchema), "shared", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const listSharesRoute = createRoute({
  ...write,
  method: "get",
  path: "/contracts/{id}/shares",
  summary: "Who the contract is shared with (owner only)",
  request: { params: contractIdParam },
  responses: answers(200, envelope(z.array(shareSchema)), "shares", "AUTH003", "AUTH004", "RES001"),
});

const revokeRoute = createRoute({
  ...write,
  method: "delete",
  path: "/contracts/{id}/share/{shareId}",
  summary: "Revoke a share",
  request: {
    params: contractIdParam.extend({
      shareId: z
        .string()
        .regex(/^shr_[0-9A-Za-z]{20}$/, "expected a shr_ id")
        .openapi({ param: { name: "shareId", in: "path" } }),
    }),
  },
  responses: answers(200, envelope(revokedSchema), "revoked", "AUTH003", "AUTH004", "RES001"),
});

export const contractSharingRoutes = createRouter()
  .openapi(shareRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const { permission } = c.req.valid("json");
    const email = normalizeEmail(c.req.valid("json").email);
    await requireContractAccess(c.env, principal, id, "owner");
    const self = await findUserById(c.env.DB, principal.userId);
    if (self && self.email.toLowerCase() === email) throw fail.conflict("You cannot share a contract with yourself");
    // Bound to an account only once it proved the address; until then the share waits on the email (access checks
    // match it by verified email at read time, so it applies the moment the owner of the mailbox verifies).
    const recipient = await findVerifiedUserByEmail(c.env.DB, email);
    const entry: Share = {
      id: newId("shr"),
      email,
      userId: recipient?.id ?? null,
      permission,
      createdBy: principal.userId,
      createdAt: new Date().toISOString(),
    };
    const state = unwrap(await contractRoom(c.env, id).share(principal.userId, entry));
    await sendEmail(c.env, {
      to: email,
      template: "contract-shared",
      data: { contractId: id, title: state.title, sharedBy: self?.name ?? "An Escra user", permission },
      userId: recipient?.id,
      onBehalfOf: principal.userId,
    });
    return ok(c, entry, 201);
  })
  .openapi(listSharesRoute, async (c) => {
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "owner");
    const state = await contractRoom(c.env, id).get();
    if (!state) throw fail.notFound("Contract");
    return ok(c, state.shares, 200);
  })
  .openapi(revokeRoute, async (c) => {
    const principal = principalOf(c);
    const { id, shareId } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "owner");
    unwrap(await contractRoom(c.env, id).revokeShare(principal.userId, shareId));
    return ok(c, { id: shareId, revoked: true as const }, 200);
  });

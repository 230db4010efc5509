// /contracts: create, list, read, edit and delete drafts, versions and the audit chain. Changes go to the
// contract's ContractRoom (its single writer); reads come from the D1 projection, history from the room.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody, listEnvelope, deletedSchema } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { principalOf, requireScope } from "../lib/auth";
import { db } from "../db/client";
import { listContracts } from "../db/contracts";
import { visibleContracts } from "../db/contract-access";
import { contractView } from "../domain/contract-view";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { partyReadable } from "../lib/signing-access";
import { findUserById } from "../db/users";
import { partyView } from "../domain/contract-view";
import { contractReader, requireContractAccess, viewableContract } from "../lib/contract-guard";
import { purgeContractFiles } from "../services/contracts/purge-contract-files";
import { createContract } from "../services/contracts/create-contract";
import {
  auditEventSchema,
  contractIdParam,
  contractSchema,
  createContractBody,
  partyContractSchema,
  listContractsQuery,
  patchContractBody,
  versionSchema,
} from "../schemas/contracts";

const read = bearerRoute("Contracts", requireScope("contracts:read"));
const write = bearerRoute("Contracts", requireScope("contracts:write"));

const createContractRoute = createRoute({
  ...write,
  method: "post",
  path: "/contracts",
  summary: "Create a draft contract (free body, or from a template with variables)",
  request: { body: jsonBody(createContractBody) },
  responses: answers(201, envelope(contractSchema), "the new draft", "AUTH003", "AUTH004", "RES001"),
});

const listContractsRoute = createRoute({
  ...read,
  method: "get",
  path: "/contracts",
  summary: "Contracts the caller may see, newest first",
  request: { query: pageQuery.extend(listContractsQuery.shape) },
  responses: answers(200, listEnvelope(contractSchema), "a page of contracts", "AUTH004"),
});

const getContractRoute = createRoute({
  ...partyReadable,
  method: "get",
  path: "/contracts/{id}",
  summary: "One contract; with X-Signing-Token the signer view (others' signature records left out, plus `party`)",
  request: { params: contractIdParam },
  responses: answers(
    200,
    envelope(z.union([contractSchema, partyContractSchema])),
    "the contract",
    "AUTH002",
    "AUTH004",
    "RES001",
  ),
});

const patchContractRoute = createRoute({
  ...write,
  method: "patch",
  path: "/contracts/{id}",
  summary: "Edit a draft (each edit is a new version)",
  request: { params: contractIdParam, body: jsonBody(patchContractBody) },
  responses: answers(200, envelope(contractSchema), "the edited draft", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const deleteContractRoute = createRoute({
  ...write,
  method: "delete",
  path: "/contracts/{id}",
  summary: "Delete a draft (owner only)",
  request: { params: contractIdParam },
  responses: answers(200, envelope(deletedSchema), "deleted", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const versionsRoute = createRoute({
  ...read,
  method: "get",
  path: "/contracts/{id}/versions",
  summary: "Every draft version, oldest first",
  request: { params: contractIdParam },
  responses: answers(200, envelope(z.array(versionSchema)), "versions", "AUTH004", "RES001"),
});

const auditRoute = createRoute({
  ...read,
  method: "get",
  path: "/contracts/{id}/audit",
  summary: "The contract's hash-chained audit events: hash = sha256(prevHash || canonical(event))",
  request: { params: contractIdParam },
  responses: answers(200, envelope(z.array(auditEventSchema)), "the chain, oldest first", "AUTH004", "RES001"),
});

export const contractRoutes = createRouter()
  .openapi(createContractRoute, async (c) => {
    const state = await createContract(c.env, principalOf(c), c.req.valid("json"));
    return ok(c, contractView(state), 201);
  })
  .openapi(listContractsRoute, async (c) => {
    const principal = principalOf(c);
    const { page, perPage, ...filters } = c.req.valid("query");
    const database = db(c.env.DB);
    const { items, total } = await listContracts(
      database,
      await visibleContracts(database, principal),
      filters,
      pageWindow({ page, perPage }),
    );
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(getContractRoute, async (c) => {
    const { id } = c.req.valid("param");
    // A party (signing token) reads its own view; an account reads access and contract in one D1 batch.
    const reader = c.get("signingParty") ? await contractReader(c, id) : null;
    if (reader?.kind === "party") {
      const sender = await findUserById(c.env.DB, reader.contract.ownerId);
      const requestedBy = sender ? { name: sender.name, email: sender.email } : null;
      return ok(c, partyView(reader.contract, reader.signerId, requestedBy), 200);
    }
    return ok(c, await viewableContract(c.env, principalOf(c), id), 200);
  })
  .openapi(patchContractRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    await requireContractAccess(c.env, principal, id, "edit");
    const state = unwrap(await contractRoom(c.env, id).editDraft(principal.userId, patch));
    return ok(c, contractView(state), 200);
  })
  .openapi(deleteContractRoute, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principal, id, "owner");
    unwrap(await contractRoom(c.env, id).remove(principal.userId));
    await purgeContractFiles(c.env, id);
    return ok(c, { id, deleted: true as const }, 200);
  })
  .openapi(versionsRoute, async (c) => {
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "view");
    return ok(c, await contractRoom(c.env, id).versions(), 200);
  })
  .openapi(auditRoute, async (c) => {
    const { id } = c.req.valid("param");
    await requireContractAccess(c.env, principalOf(c), id, "view");
    const events = await contractRoom(c.env, id).auditTrail();
    return ok(
      c,
      events.map((e) => ({ ...e, data: e.data as Record<string, unknown> })),
      200,
    );
  });

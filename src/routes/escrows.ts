// /escrows: open (services/escrows/open-escrow), list, read, audit chain, fund (services/escrows/fund-escrow),
// cancel, deliver, reveal, confirm, dispute. Changes go to the escrow's EscrowRoom (its single writer); lists and
// reads come from the D1 projection.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createRouter } from "../lib/router";
import { secretResponse } from "../lib/idempotency";
import { answers, bearerRoute, envelope, jsonBody, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { fail } from "../lib/errors";
import { principalOf, requireScope, requireVerifiedEmail } from "../lib/auth";
import { openWithKeys, sealRecord } from "../lib/vault";
import { forwardToLiveRoom, liveRoute } from "../lib/live";
import type { AppEnv, Bindings, Principal } from "../env";
import { db } from "../db/client";
import { findEscrow, listEscrows } from "../db/escrows";
import { actorOf, type PayoutStatus } from "../domain/escrow-machine";
import { escrowView } from "../domain/escrow-view";
import { escrowRoom, type Caller } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import {
  auditEventSchema,
  createEscrowBody,
  deliverBody,
  escrowIdParam,
  escrowSchema,
  fundResponse,
  listEscrowsQuery,
  optionalReasonBody,
  reasonBody,
  revealResponse,
} from "../schemas/escrows";
import { openEscrow } from "../services/escrows/open-escrow";
import { fundEscrow } from "../services/escrows/fund-escrow";
import { isAdmin } from "../domain/scopes";

const read = bearerRoute("Escrow", requireScope("escrows:read"));
const write = bearerRoute("Escrow", requireScope("escrows:write"));

const callerOf = (p: Principal): Caller => ({ userId: p.userId, isAdmin: isAdmin(p) });

/** The escrow from D1 if the caller is a party or an admin; RES001 otherwise (no hint that it exists). */
async function visibleEscrow(env: Bindings, principal: Principal, id: string) {
  const escrow = await findEscrow(db(env.DB), id);
  if (!escrow || !actorOf(escrow, principal.userId, isAdmin(principal))) throw fail.notFound("Escrow");
  return escrow;
}

const createRouteDef = createRoute({
  ...write,
  method: "post",
  path: "/escrows",
  summary: "Open an escrow as the buyer (status pending); an escrow contract is generated when none is linked",
  description:
    "An unfunded escrow expires after ESCROW_RESERVATION_MINUTES (default 60). A buyer holds at most " +
    "ESCROW_MAX_UNFUNDED (default 5) unfunded escrows (RES002 beyond). A linked `contractId` must be a draft or " +
    "pending contract whose signers include both the buyer's and the seller's verified emails and that is bound " +
    "to no other escrow (RES002 otherwise).",
  request: { body: jsonBody(createEscrowBody) },
  responses: answers(201, envelope(escrowSchema), "the new escrow", "VAL001", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const listRoute = createRoute({
  ...read,
  method: "get",
  path: "/escrows",
  summary: "Escrows you are party to (every escrow for admins), newest first",
  request: { query: pageQuery.extend(listEscrowsQuery.shape) },
  responses: answers(200, listEnvelope(escrowSchema), "a page of escrows", "AUTH004"),
});

const getRoute = createRoute({
  ...read,
  method: "get",
  path: "/escrows/{id}",
  summary: "One escrow (parties and admins)",
  request: { params: escrowIdParam },
  responses: answers(200, envelope(escrowSchema), "the escrow", "AUTH004", "RES001"),
});

const eventsRoute = createRoute({
  ...read,
  method: "get",
  path: "/escrows/{id}/events",
  summary: "The escrow's hash-chained audit events: hash = sha256(prevHash || canonical(event))",
  request: { params: escrowIdParam },
  responses: answers(200, envelope(z.array(auditEventSchema)), "the chain, oldest first", "AUTH004", "RES001"),
});

const fundRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/fund",
  summary: "Buyer: start paying; pay at authorizationUrl, the provider's webhook then funds the escrow",
  description:
    "A retry while the checkout is open (30 minutes) answers the same reference and URL. Any successful charge " +
    "for a reference of this escrow funds it, or — when it cannot (already funded, amount/currency mismatch, " +
    "cancelled or expired) — is refunded automatically and listed in GET /admin/payments/unmatched. PAY001: the " +
    "provider refuses this payment (the message says what to change); PROC001: the provider is unavailable, retry.",
  request: { params: escrowIdParam },
  responses: answers(
    200,
    envelope(fundResponse),
    "the checkout",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
    "PAY001",
    "PROC001",
  ),
});

const cancelRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/cancel",
  summary: "Buyer (or admin): cancel an unfunded escrow; its listing returns to the catalog",
  description:
    "Only while `pending`. The escrow becomes `cancelled` (audited, `escrow.cancelled` emitted) and frees the buyer's " +
    "hold and any linked contract. A charge that still arrives for it is refunded automatically. An unfunded escrow " +
    "also expires by itself after ESCROW_RESERVATION_MINUTES (default 60): `expired`, `escrow.expired`.",
  request: { params: escrowIdParam, body: jsonBody(optionalReasonBody) },
  responses: answers(200, envelope(escrowSchema), "cancelled", "VAL001", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const deliverRoute = createRoute({
  ...bearerRoute("Escrow", requireScope("escrows:write"), requireVerifiedEmail()),
  method: "post",
  path: "/escrows/{id}/deliver",
  summary: "Seller: deliver the credentials, stored encrypted (AES-256-GCM, per-record key wrapped by the vault KEK)",
  request: { params: escrowIdParam, body: jsonBody(deliverBody) },
  responses: answers(200, envelope(escrowSchema), "delivered", "AUTH003", "AUTH004", "AUTH006", "RES001", "RES002"),
});

const revealRoute = createRoute({
  ...bearerRoute("Escrow", requireScope("escrows:write"), secretResponse),
  method: "post",
  path: "/escrows/{id}/reveal",
  summary: "Buyer, once, after the contract is signed: the credentials (status credentials_released); again → RES002",
  request: { params: escrowIdParam },
  responses: answers(200, envelope(revealResponse), "the credentials", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const confirmRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/confirm",
  summary: "Buyer: accept; the escrow completes and the seller's payout is queued",
  request: { params: escrowIdParam },
  responses: answers(200, envelope(escrowSchema), "completed", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const disputeRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/dispute",
  summary: "Either party: open a dispute (an admin then releases or refunds)",
  request: { params: escrowIdParam, body: jsonBody(reasonBody) },
  responses: answers(200, envelope(escrowSchema), "disputed", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const liveRouteDef = liveRoute({
  path: "/escrows/{id}/live",
  tags: ["Escrow"],
  summary: "The escrow's live room (WebSocket): every step as it happens; parties and admins, others closed 4003",
  params: escrowIdParam,
});

function caller(c: Context<AppEnv>) {
  return callerOf(principalOf(c));
}

export const escrowRoutes = createRouter()
  .openapi(createRouteDef, async (c) => {
    return ok(c, escrowView(await openEscrow(c.env, principalOf(c), c.req.valid("json"))), 201);
  })
  .openapi(listRoute, async (c) => {
    const principal = principalOf(c);
    const { page, perPage, ...filters } = c.req.valid("query");
    const { payoutStatus, ...rest } = filters;
    const query = { ...rest, ...(payoutStatus ? { payoutStatus: payoutStatus.split(",") as PayoutStatus[] } : {}) };
    const { items, total } = await listEscrows(
      db(c.env.DB),
      isAdmin(principal) && !filters.role ? null : principal.userId,
      query,
      pageWindow({ page, perPage }),
    );
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(getRoute, async (c) => {
    const escrow = await visibleEscrow(c.env, principalOf(c), c.req.valid("param").id);
    return ok(c, escrow, 200);
  })
  .openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid("param");
    await visibleEscrow(c.env, principalOf(c), id);
    const events = await escrowRoom(c.env, id).auditTrail();
    return ok(
      c,
      events.map((e) => ({ ...e, data: e.data as Record<string, unknown> })),
      200,
    );
  })
  .openapi(fundRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = principalOf(c);
    await visibleEscrow(c.env, principal, id);
    return ok(c, await fundEscrow(c.env, principal, callerOf(principal), id), 200);
  })
  .openapi(cancelRoute, async (c) => {
    const { id } = c.req.valid("param");
    await visibleEscrow(c.env, principalOf(c), id);
    const { reason } = c.req.valid("json");
    return ok(c, escrowView(unwrap(await escrowRoom(c.env, id).cancel(caller(c), reason ?? null))), 200);
  })
  .openapi(deliverRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { credentials } = c.req.valid("json");
    await visibleEscrow(c.env, principalOf(c), id);
    const record = sealRecord(c.env.VAULT_KEK, id, JSON.stringify(credentials));
    return ok(c, escrowView(unwrap(await escrowRoom(c.env, id).deliver(caller(c), record))), 200);
  })
  .openapi(revealRoute, async (c) => {
    const { id } = c.req.valid("param");
    await visibleEscrow(c.env, principalOf(c), id);
    const { escrow, record } = unwrap(await escrowRoom(c.env, id).reveal(caller(c)));
    const credentials = JSON.parse(
      openWithKeys({ current: c.env.VAULT_KEK, previous: c.env.VAULT_KEK_PREVIOUS }, id, record),
    ) as Record<string, unknown>;
    return ok(c, { escrow: escrowView(escrow), credentials }, 200);
  })
  .openapi(confirmRoute, async (c) => {
    const { id } = c.req.valid("param");
    await visibleEscrow(c.env, principalOf(c), id);
    return ok(c, escrowView(unwrap(await escrowRoom(c.env, id).confirm(caller(c)))), 200);
  })
  .openapi(disputeRoute, async (c) => {
    const { id } = c.req.valid("param");
    await visibleEscrow(c.env, principalOf(c), id);
    return ok(c, escrowView(unwrap(await escrowRoom(c.env, id).dispute(caller(c), c.req.valid("json").reason))), 200);
  })
  .openapi(liveRouteDef, (c) => forwardToLiveRoom(c, c.env.ESCROW_ROOM, c.req.valid("param").id));

// /escrows: open (with an escrow contract generated from the sale-of-goods template when none is linked), list,
// read, audit chain, fund, deliver, reveal, confirm, dispute. Changes go to the escrow's EscrowRoom (its single
// writer); lists and reads come from the D1 projection.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createRouter } from "../lib/router";
import { envelope, errorResponses, jsonBody, jsonContent, listEnvelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { ApiError, fail } from "../lib/errors";
import { principalOf, requireScope } from "../lib/auth";
import { newId } from "../lib/ids";
import { openWithKeys, sealRecord } from "../lib/vault";
import { paymentProvider } from "../lib/payments";
import { chargeReference, ProviderError } from "../lib/payments/provider";
import { log } from "../lib/request-context";
import { forwardToLiveRoom, liveRoute } from "../lib/live";
import type { AppEnv, Bindings, Principal } from "../env";
import { db } from "../db/client";
import { findEscrow, listEscrows } from "../db/escrows";
import { findUserByEmail, findUserById } from "../db/users";
import { instantiateTemplate } from "../db/templates";
import { parseBps, splitAmount, type Currency } from "../domain/money";
import { actorOf } from "../domain/escrow-machine";
import { escrowView } from "../domain/escrow-view";
import { escrowRoom, type Caller } from "../../durable-objects/escrow-room";
import { contractRoom } from "../../durable-objects/contract-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { requireContractAccess } from "./contracts-guard";
import { findListing } from "../db/listings";
import { listingRoom } from "../../durable-objects/listing-room";
import {
  auditEventSchema,
  createEscrowBody,
  deliverBody,
  escrowIdParam,
  escrowSchema,
  fundResponse,
  listEscrowsQuery,
  reasonBody,
  revealResponse,
} from "./escrows-schemas";

const tags = ["Escrow"];
const read = { tags, middleware: [requireScope("escrows:read")], security: [{ bearer: [] }] };
const write = { tags, middleware: [requireScope("escrows:write")], security: [{ bearer: [] }] };
/** The starter template every generated escrow contract uses (src/domain/starter-templates.ts). */
export const ESCROW_CONTRACT_TEMPLATE = "tpl_StarterSaleOfGoods00";

const isAdmin = (p: Principal) => p.role === "admin" || p.role === "super_admin";
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
  request: { body: jsonBody(createEscrowBody) },
  responses: { 201: jsonContent(envelope(escrowSchema), "the new escrow"), ...errorResponses("AUTH003", "AUTH004", "RES001") },
});

const listRoute = createRoute({
  ...read,
  method: "get",
  path: "/escrows",
  summary: "Escrows you are party to (every escrow for admins), newest first",
  request: { query: pageQuery.extend(listEscrowsQuery.shape) },
  responses: { 200: jsonContent(listEnvelope(escrowSchema), "a page of escrows"), ...errorResponses("AUTH004") },
});

const getRoute = createRoute({
  ...read,
  method: "get",
  path: "/escrows/{id}",
  summary: "One escrow (parties and admins)",
  request: { params: escrowIdParam },
  responses: { 200: jsonContent(envelope(escrowSchema), "the escrow"), ...errorResponses("AUTH004", "RES001") },
});

const eventsRoute = createRoute({
  ...read,
  method: "get",
  path: "/escrows/{id}/events",
  summary: "The escrow's hash-chained audit events: hash = sha256(prevHash || canonical(event))",
  request: { params: escrowIdParam },
  responses: { 200: jsonContent(envelope(z.array(auditEventSchema)), "the chain, oldest first"), ...errorResponses("AUTH004", "RES001") },
});

const fundRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/fund",
  summary: "Buyer: start paying; pay at authorizationUrl, the provider's webhook then funds the escrow",
  request: { params: escrowIdParam },
  responses: { 200: jsonContent(envelope(fundResponse), "the checkout"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002", "PROC001") },
});

const deliverRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/deliver",
  summary: "Seller: deliver the credentials, stored encrypted (AES-256-GCM, per-record key wrapped by the vault KEK)",
  request: { params: escrowIdParam, body: jsonBody(deliverBody) },
  responses: { 200: jsonContent(envelope(escrowSchema), "delivered"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002") },
});

const revealRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/reveal",
  summary: "Buyer, once, after the contract is signed: the credentials (status credentials_released); again → RES002",
  request: { params: escrowIdParam },
  responses: { 200: jsonContent(envelope(revealResponse), "the credentials"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002") },
});

const confirmRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/confirm",
  summary: "Buyer: accept; the escrow completes and the seller's payout is queued",
  request: { params: escrowIdParam },
  responses: { 200: jsonContent(envelope(escrowSchema), "completed"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002") },
});

const disputeRoute = createRoute({
  ...write,
  method: "post",
  path: "/escrows/{id}/dispute",
  summary: "Either party: open a dispute (an admin then releases or refunds)",
  request: { params: escrowIdParam, body: jsonBody(reasonBody) },
  responses: { 200: jsonContent(envelope(escrowSchema), "disputed"), ...errorResponses("AUTH003", "AUTH004", "RES001", "RES002") },
});

async function generateContract(env: Bindings, buyer: Principal, parties: { buyer: { email: string; name: string }; seller: { email: string; name: string } }, terms: { description: string; amount: number; currency: string; inspectionPeriodHours: number }) {
  const rendered = await instantiateTemplate(env, buyer, ESCROW_CONTRACT_TEMPLATE, {
    sellerName: parties.seller.name,
    buyerName: parties.buyer.name,
    goods: terms.description,
    price: `${terms.amount} ${terms.currency} (minor units)`,
    deliveryAddress: "delivered through the Escra escrow",
    inspectionDays: String(Math.max(1, Math.ceil(terms.inspectionPeriodHours / 24))),
  });
  const id = newId("ctr");
  unwrap(
    await contractRoom(env, id).create({
      id,
      ownerId: buyer.userId,
      title: `Escrow: ${terms.description.slice(0, 180)}`,
      type: rendered.contractType,
      body: rendered.body,
      variables: rendered.variables,
      value: { amount: terms.amount, currency: terms.currency },
      templateId: rendered.templateId,
      templateVersion: rendered.version,
      signers: [
        { id: newId("sig"), email: parties.seller.email, name: parties.seller.name, role: "signer", order: 1 },
        { id: newId("sig"), email: parties.buyer.email, name: parties.buyer.name, role: "signer", order: 1 },
      ],
    }),
  );
  // Sent at once (frozen document, signing links to both parties); its activation moves the escrow on.
  unwrap(await contractRoom(env, id).send(buyer.userId, { approvers: [], reminders: {} }));
  return id;
}

const liveRouteDef = liveRoute({
  path: "/escrows/{id}/live",
  tags,
  summary: "The escrow's live room (WebSocket): every step as it happens; parties and admins, others closed 4003",
  params: escrowIdParam,
});

type CreateInput = z.infer<typeof createEscrowBody>;
interface Deal {
  seller: { id: string; email: string; name: string };
  amount: number;
  currency: Currency;
}

async function emailDeal(env: Bindings, input: CreateInput): Promise<Deal> {
  const seller = await findUserByEmail(env.DB, input.sellerEmail!.trim().toLowerCase());
  if (!seller || seller.deletedAt) throw fail.notFound("Seller");
  return { seller, amount: input.amount!, currency: input.currency! as Currency };
}

/** Buying a listing: its seller and price (a differing amount or currency in the request is refused). */
async function listingDeal(env: Bindings, listingId: string, input: CreateInput): Promise<Deal> {
  const listing = await findListing(db(env.DB), listingId);
  if (!listing || (listing.status !== "approved" && listing.status !== "reserved" && listing.status !== "sold")) throw fail.notFound("Listing");
  if (listing.status !== "approved") throw fail.conflict(`This listing is ${listing.status}`);
  const details = [
    ...(input.amount !== undefined && input.amount !== listing.priceAmount ? [{ path: "amount", message: "must equal the listing's price (or be left out)" }] : []),
    ...(input.currency !== undefined && input.currency !== listing.currency ? [{ path: "currency", message: "must equal the listing's currency (or be left out)" }] : []),
  ];
  if (details.length) throw fail.invalid(details);
  const seller = await findUserById(env.DB, listing.sellerId);
  // An erased or suspended seller's listing has left the catalog: it cannot be bought either.
  if (!seller || seller.deletedAt || seller.suspended) throw fail.notFound("Listing");
  return { seller, amount: listing.priceAmount, currency: listing.currency as Currency };
}

/** Through the listing's single writer: of two buyers one gets it, the other RES002; audited and emitted with it. */
async function reserveListing(env: Bindings, listingId: string, escrowId: string, buyerId: string) {
  return unwrap(await listingRoom(env, listingId).reserve(listingId, escrowId, buyerId));
}

/** The escrow could not be opened after all: the reservation it took goes back (a no-op if it holds none). */
async function releaseListing(env: Bindings, listingId: string, escrowId: string) {
  unwrap(await listingRoom(env, listingId).settle(listingId, escrowId, "unreserve"));
}

function caller(c: Context<AppEnv>) {
  return callerOf(principalOf(c));
}

export const escrowRoutes = createRouter()
  .openapi(createRouteDef, async (c) => {
    const principal = principalOf(c);
    const input = c.req.valid("json");
    const id = newId("esc");
    const deal = input.listingId ? await listingDeal(c.env, input.listingId, input) : await emailDeal(c.env, input);
    if (deal.seller.id === principal.userId) throw fail.invalid([{ path: input.listingId ? "listingId" : "sellerEmail", message: "you cannot be your own seller" }]);
    const buyer = await findUserById(c.env.DB, principal.userId);
    if (!buyer) throw fail.unauthenticated();
    const split = splitAmount(deal.amount, parseBps(c.env.ESCROW_COMMISSION_BPS));
    if (input.contractId) await requireContractAccess(c.env, principal, input.contractId, "view");

    // Reserve the listing first (a conditional update: of two buyers, one gets it), released again on failure.
    const listing = input.listingId ? await reserveListing(c.env, input.listingId, id, principal.userId) : null;
    let state;
    try {
      const contractId =
        input.contractId ??
        (await generateContract(
          c.env,
          principal,
          { buyer: { email: buyer.email, name: buyer.name }, seller: { email: deal.seller.email, name: deal.seller.name } },
          { description: input.description, amount: deal.amount, currency: deal.currency, inspectionPeriodHours: input.inspectionPeriodHours },
        ));
      state = unwrap(
        await escrowRoom(c.env, id).create({
          id,
          buyerId: principal.userId,
          sellerId: deal.seller.id,
          listingId: listing?.id ?? null,
          contractId,
          currency: deal.currency,
          split,
          description: input.description,
          inspectionPeriodHours: input.inspectionPeriodHours,
          provider: paymentProvider(c.env).name,
        }),
      );
    } catch (err) {
      if (listing) await releaseListing(c.env, listing.id, id);
      throw err;
    }
    return ok(c, escrowView(state), 201);
  })
  .openapi(listRoute, async (c) => {
    const principal = principalOf(c);
    const { page, perPage, ...filters } = c.req.valid("query");
    const { items, total } = await listEscrows(db(c.env.DB), isAdmin(principal) && !filters.role ? null : principal.userId, filters, pageWindow({ page, perPage }));
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
    return ok(c, events.map((e) => ({ ...e, data: e.data as Record<string, unknown> })), 200);
  })
  .openapi(fundRoute, async (c) => {
    const { id } = c.req.valid("param");
    const principal = principalOf(c);
    const escrow = await visibleEscrow(c.env, principal, id);
    if (escrow.buyerId !== principal.userId) throw fail.forbidden("Only the buyer may fund this escrow");
    if (escrow.status !== "pending") throw fail.conflict(`Cannot fund an escrow that is ${escrow.status}`);
    const buyer = await findUserById(c.env.DB, principal.userId);
    const provider = paymentProvider(c.env);
    const reference = chargeReference(id);
    let checkout: { authorizationUrl: string; reference: string };
    try {
      checkout = await provider.initialize({ reference, email: buyer!.email, amount: escrow.amount, currency: escrow.currency, metadata: { escrowId: id } });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      log("warn", "payment initialize failed", { escrowId: id, error: err.message });
      throw new ApiError("PROC001", "The payment provider is unavailable; try again");
    }
    unwrap(await escrowRoom(c.env, id).startPayment(caller(c), provider.name, checkout.reference));
    return ok(c, { payment: { provider: provider.name, reference: checkout.reference, authorizationUrl: checkout.authorizationUrl } }, 200);
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
    const credentials = JSON.parse(openWithKeys({ current: c.env.VAULT_KEK, previous: c.env.VAULT_KEK_PREVIOUS }, id, record)) as Record<string, unknown>;
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

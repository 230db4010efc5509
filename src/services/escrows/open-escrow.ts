// Opening an escrow (POST /escrows): the deal (a listing's seller and price, or a seller by email), the buyer's
// cap on unfunded escrows, the contract it is bound to (linked between its own parties, or generated), the
// listing reservation, and the EscrowRoom that owns it from then on. What was taken is given back on failure.
import type { z } from "@hono/zod-openapi";
import type { Bindings, Principal } from "../../env";
import { ApiError, fail } from "../../lib/errors";
import { drawableLine } from "../../lib/fonts";
import { newId } from "../../lib/ids";
import { paymentProvider } from "../../lib/payments";
import { db } from "../../db/client";
import { contractAccess } from "../../db/contract-access";
import { claimContractLink, releaseContractLink, releaseEscrowHold, takeEscrowHold } from "../../db/escrows";
import { findListing } from "../../db/listings";
import { findUserById, findVerifiedUserByEmail, type UserRow } from "../../db/users";
import { instantiateTemplate } from "../../db/templates";
import { contractBindingRefusal, DEFAULT_RESERVATION_MINUTES, type EscrowState } from "../../domain/escrow-machine";
import { parseBps, splitAmount, type Currency } from "../../domain/money";
import { ESCROW_CONTRACT_TEMPLATE, escrowContractVariables } from "../../domain/escrow-contract";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import { contractRoom } from "../../../durable-objects/contract-room";
import { listingRoom } from "../../../durable-objects/listing-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";
import type { createEscrowBody } from "../../schemas/escrows";

export type OpenEscrowInput = z.infer<typeof createEscrowBody>;

/** How many unfunded escrows a buyer may hold at once when ESCROW_MAX_UNFUNDED is not set. */
export const DEFAULT_MAX_UNFUNDED = 5;

const positiveInt = (raw: string | undefined, fallback: number) => {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

interface Deal {
  seller: UserRow;
  amount: number;
  currency: Currency;
}

/**
 * Opens an escrow for `buyer` (status pending, expiring after ESCROW_RESERVATION_MINUTES unless funded).
 * @throws RES001 unknown seller, listing or contract; VAL001 own seller or a price differing from the listing's;
 *   RES002 the buyer holds ESCROW_MAX_UNFUNDED unfunded escrows already, the listing is taken, or the contract is
 *   not a draft/pending contract between the two parties or is bound to another escrow
 */
export async function openEscrow(env: Bindings, buyer: Principal, input: OpenEscrowInput): Promise<EscrowState> {
  const id = newId("esc");
  const deal = input.listingId ? await listingDeal(env, input.listingId, input) : await emailDeal(env, input);
  if (deal.seller.id === buyer.userId)
    throw fail.invalid([
      { path: input.listingId ? "listingId" : "sellerEmail", message: "you cannot be your own seller" },
    ]);
  const buyerRow = await findUserById(env.DB, buyer.userId);
  if (!buyerRow) throw fail.unauthenticated();
  const split = splitAmount(deal.amount, parseBps(env.ESCROW_COMMISSION_BPS));
  if (input.contractId) await requireBindableContract(env, buyer, input.contractId, buyerRow, deal.seller);

  const undo: (() => Promise<unknown>)[] = [];
  try {
    const max = positiveInt(env.ESCROW_MAX_UNFUNDED, DEFAULT_MAX_UNFUNDED);
    if (!(await takeEscrowHold(env.DB, { escrowId: id, buyerId: buyer.userId, now: new Date().toISOString() }, max))) {
      throw fail.conflict(`You already hold ${max} unfunded escrows; fund or cancel one before opening another`, {
        limit: max,
      });
    }
    undo.push(() => releaseEscrowHold(db(env.DB), id));
    if (input.contractId) {
      if (!(await claimContractLink(db(env.DB), input.contractId, id)))
        throw fail.conflict("This contract is already bound to another escrow");
      undo.push(() => releaseContractLink(db(env.DB), input.contractId!, id));
    }
    // One call: of two buyers racing for a listing, one gets it (the listings module owns how).
    const listing = input.listingId ? await reserveListing(env, input.listingId, id, buyer.userId) : null;
    if (listing) undo.push(() => releaseListing(env, listing.id, id));
    let contractId = input.contractId;
    if (!contractId) {
      contractId = await generateContract(
        env,
        buyer,
        { buyer: buyerRow, seller: deal.seller },
        { ...input, amount: deal.amount, currency: deal.currency },
      );
      await claimContractLink(db(env.DB), contractId, id);
    }
    return unwrap(
      await escrowRoom(env, id).create({
        id,
        buyerId: buyer.userId,
        sellerId: deal.seller.id,
        listingId: listing?.id ?? null,
        contractId,
        currency: deal.currency,
        split,
        description: input.description,
        inspectionPeriodHours: input.inspectionPeriodHours,
        provider: paymentProvider(env).name,
        reservationMinutes: positiveInt(env.ESCROW_RESERVATION_MINUTES, DEFAULT_RESERVATION_MINUTES),
      }),
    );
  } catch (err) {
    for (const step of undo.reverse()) await step();
    throw err;
  }
}

/** A linked contract: visible to the buyer, and bindable (domain contractBindingRefusal); RES001 / RES002. */
async function requireBindableContract(
  env: Bindings,
  buyer: Principal,
  contractId: string,
  buyerRow: UserRow,
  seller: UserRow,
) {
  if ((await contractAccess(env, buyer, contractId)) === "none") throw fail.notFound("Contract");
  const contract = await contractRoom(env, contractId).get();
  if (!contract) throw fail.notFound("Contract");
  const refusal = contractBindingRefusal(contract, buyerRow, seller);
  if (refusal) throw fail.conflict(refusal, { contractId });
}

async function emailDeal(env: Bindings, input: OpenEscrowInput): Promise<Deal> {
  // Only an account that proved the address is its seller: an unverified registration of it gains nothing.
  const seller = await findVerifiedUserByEmail(env.DB, input.sellerEmail!.trim().toLowerCase());
  if (!seller) {
    throw new ApiError(
      "RES001",
      "No verified Escra account has this seller email; ask the seller to sign up and verify it",
    );
  }
  return { seller, amount: input.amount!, currency: input.currency! as Currency };
}

/** Buying a listing: its seller and price (a differing amount or currency in the request is refused). */
async function listingDeal(env: Bindings, listingId: string, input: OpenEscrowInput): Promise<Deal> {
  const listing = await findListing(db(env.DB), listingId);
  if (!listing || (listing.status !== "approved" && listing.status !== "reserved" && listing.status !== "sold"))
    throw fail.notFound("Listing");
  if (listing.status !== "approved") throw fail.conflict(`This listing is ${listing.status}`);
  const details = [
    ...(input.amount !== undefined && input.amount !== listing.priceAmount
      ? [{ path: "amount", message: "must equal the listing's price (or be left out)" }]
      : []),
    ...(input.currency !== undefined && input.currency !== listing.currency
      ? [{ path: "currency", message: "must equal the listing's currency (or be left out)" }]
      : []),
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

/** The escrow contract from the sale-of-goods template, sent at once to both parties (its activation moves the escrow on). */
async function generateContract(
  env: Bindings,
  buyer: Principal,
  parties: { buyer: { email: string; name: string }; seller: { email: string; name: string } },
  terms: { description: string; amount: number; currency: string; inspectionPeriodHours: number },
) {
  const rendered = await instantiateTemplate(
    env,
    buyer,
    ESCROW_CONTRACT_TEMPLATE,
    escrowContractVariables({ ...parties, ...terms, commissionBps: parseBps(env.ESCROW_COMMISSION_BPS) }),
  );
  const id = newId("ctr");
  unwrap(
    await contractRoom(env, id).create({
      id,
      ownerId: buyer.userId,
      // A title is one line (it becomes email subjects and PDF headings): the description flattened and cut between
      // characters (a cut through a surrogate pair would leave a character no font draws).
      title: `Escrow: ${drawableLine(terms.description, 180)}`,
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
  unwrap(await contractRoom(env, id).send(buyer.userId, { approvers: [], reminders: {} }));
  return id;
}

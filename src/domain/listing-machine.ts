// The marketplace listing state machine (pure): draft → under_review → approved → reserved → sold, with admin
// rejection, requests for more information, and a reservation that returns to the catalog when its escrow ends
// without a sale. ListingRoom applies these inside its storage transaction; the domain returns the events.
import { ApiError, fail } from "../lib/errors";
import { LISTING_STATUSES, type AuditOnlyEventType, type EventOf } from "./events";

export { LISTING_STATUSES };
export type ListingStatus = (typeof LISTING_STATUSES)[number];
export type ListingActor = "seller" | "admin" | "system";
export type ListingAction =
  | "edit"
  | "add_proof"
  | "delete"
  | "submit"
  | "approve"
  | "reject"
  | "request_info"
  | "reserve"
  | "sell"
  | "unreserve";
/** The listing's published events, from the one catalog (domain/events.ts). */
export type ListingEventType = EventOf<"listing">;

/** Audit-only events (kept in the listing's hash chain, never published): the seller's own edits. */
export type ListingAuditType = Extract<
  AuditOnlyEventType,
  "listing.created" | "listing.updated" | "listing.proof_added" | "listing.deleted"
>;

interface Rule {
  from: readonly ListingStatus[];
  /** null: the status stays (edits, proofs) or the listing goes away (delete). */
  to: ListingStatus | null;
  by: readonly ListingActor[];
  /** Published to EVENTS (and audited). */
  emits: readonly ListingEventType[];
  /** Audited only. */
  audits: readonly ListingAuditType[];
}

/** The whole machine in one table; tests walk every (action, status, actor) against it. */
export const LISTING_RULES: Record<ListingAction, Rule> = {
  edit: { from: ["draft", "rejected"], to: null, by: ["seller"], emits: [], audits: ["listing.updated"] },
  add_proof: { from: ["draft", "rejected"], to: null, by: ["seller"], emits: [], audits: ["listing.proof_added"] },
  delete: { from: ["draft", "rejected"], to: null, by: ["seller"], emits: [], audits: ["listing.deleted"] },
  submit: { from: ["draft", "rejected"], to: "under_review", by: ["seller"], emits: ["listing.submitted"], audits: [] },
  approve: { from: ["under_review"], to: "approved", by: ["admin"], emits: ["listing.approved"], audits: [] },
  reject: { from: ["under_review"], to: "rejected", by: ["admin"], emits: ["listing.rejected"], audits: [] },
  // Back to the seller as a draft, with the admin's question in reviewNote.
  request_info: { from: ["under_review"], to: "draft", by: ["admin"], emits: ["listing.info_requested"], audits: [] },
  // A buyer opened an escrow on it (the escrow flow acts as "system"): of two buyers, the first one wins.
  reserve: { from: ["approved"], to: "reserved", by: ["system"], emits: ["listing.reserved"], audits: [] },
  // Its escrow completed.
  sell: { from: ["reserved"], to: "sold", by: ["system"], emits: ["listing.sold"], audits: [] },
  // Its escrow was cancelled, expired or refunded (or could not be opened): back in the catalog.
  unreserve: { from: ["reserved"], to: "approved", by: ["system"], emits: ["listing.unreserved"], audits: [] },
};

/** Who sees a listing outside its seller and admins: everyone sees approved ones in the catalog. */
export const PUBLIC_LISTING_STATUSES: readonly ListingStatus[] = ["approved"];

/** AUTH003 for the wrong actor (checked first), RES002 for the wrong status; the rule otherwise. */
export function assertListingAction(action: ListingAction, status: ListingStatus, actor: ListingActor): Rule {
  const rule = LISTING_RULES[action];
  if (!rule.by.includes(actor)) throw fail.forbidden(`Only ${rule.by.join(" or ")} may ${verb(action)} this listing`);
  if (!rule.from.includes(status)) {
    throw new ApiError("RES002", `Cannot ${verb(action)} a listing that is ${status}`, { details: { status, action } });
  }
  return rule;
}

export function canListingAction(action: ListingAction, status: ListingStatus, actor: ListingActor): boolean {
  const rule = LISTING_RULES[action];
  return rule.from.includes(status) && rule.by.includes(actor);
}

const verb = (action: ListingAction) => action.replace("_", " ");

export interface ListingProof {
  id: string;
  /** The seller's file name (seller and admins only; never in the catalog). */
  name: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the bytes (seller and admins only). */
  sha256: string;
  createdAt: string;
}

/** The listing as its ListingRoom holds it; D1's listings and listing_proofs rows are its projection. */
export interface ListingState {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  category: string;
  /** Integer minor units. */
  priceAmount: number;
  currency: string;
  status: ListingStatus;
  /** The admin's reason on reject / request-info (seller and admins only). */
  reviewNote: string | null;
  /** The escrow holding the reservation (reserved), or that bought it (sold). */
  escrowId: string | null;
  proofs: ListingProof[];
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  approvedAt: string | null;
  soldAt: string | null;
  /** Set when the seller deleted it: the room refuses every later command (RES001). */
  deletedAt: string | null;
}

export interface NewListing {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  category: string;
  priceAmount: number;
  currency: string;
}

export interface ListingEdit {
  title?: string;
  description?: string;
  category?: string;
  price?: { amount: number; currency: string };
}

export interface ListingTransition {
  state: ListingState;
  /** Every event of the step, published ones first; the room audits all and publishes the catalog ones. */
  events: (ListingEventType | ListingAuditType)[];
}

const step = (action: ListingAction, state: ListingState): ListingTransition => ({
  state,
  events: [...LISTING_RULES[action].emits, ...LISTING_RULES[action].audits],
});

export function createListing(input: NewListing, now: string): ListingTransition {
  return {
    state: {
      ...input,
      status: "draft",
      reviewNote: null,
      escrowId: null,
      proofs: [],
      createdAt: now,
      updatedAt: now,
      submittedAt: null,
      approvedAt: null,
      soldAt: null,
      deletedAt: null,
    },
    events: ["listing.created"],
  };
}

export function editListing(s: ListingState, actor: ListingActor, patch: ListingEdit, now: string): ListingTransition {
  assertListingAction("edit", s.status, actor);
  return step("edit", {
    ...s,
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.category !== undefined ? { category: patch.category } : {}),
    ...(patch.price ? { priceAmount: patch.price.amount, currency: patch.price.currency } : {}),
    updatedAt: now,
  });
}

/** A listing holds at most this many proofs (each ≤ 10 MiB in R2). */
export const MAX_PROOFS = 20;

export function addProof(s: ListingState, actor: ListingActor, proof: ListingProof, now: string): ListingTransition {
  assertListingAction("add_proof", s.status, actor);
  if (s.proofs.length >= MAX_PROOFS) throw fail.conflict(`A listing holds at most ${MAX_PROOFS} proofs`);
  return step("add_proof", { ...s, proofs: [...s.proofs, proof], updatedAt: now });
}

export function deleteListing(s: ListingState, actor: ListingActor, now: string): ListingTransition {
  assertListingAction("delete", s.status, actor);
  return step("delete", { ...s, deletedAt: now, updatedAt: now });
}

export function submitListing(s: ListingState, actor: ListingActor, now: string): ListingTransition {
  assertListingAction("submit", s.status, actor);
  return step("submit", { ...s, status: "under_review", submittedAt: now, updatedAt: now });
}

export type Moderation = "approve" | "reject" | "request_info";

/** An admin's review; reason is required for reject and request_info (the route's schema enforces it). */
export function moderateListing(
  s: ListingState,
  actor: ListingActor,
  kind: Moderation,
  reason: string | null,
  now: string,
): ListingTransition {
  const rule = assertListingAction(kind, s.status, actor);
  return step(kind, {
    ...s,
    status: rule.to!,
    reviewNote: reason,
    ...(kind === "approve" ? { approvedAt: now } : {}),
    updatedAt: now,
  });
}

export function reserveListing(s: ListingState, escrowId: string, now: string): ListingTransition {
  assertListingAction("reserve", s.status, "system");
  return step("reserve", { ...s, status: "reserved", escrowId, updatedAt: now });
}

/**
 * The escrow that holds the reservation completed (sell) or ended without a sale (unreserve). Idempotent: an
 * escrow that does not hold the reservation (another buyer's, or an event delivered twice) changes nothing (null).
 */
export function settleReservation(
  s: ListingState,
  escrowId: string,
  outcome: "sell" | "unreserve",
  now: string,
): ListingTransition | null {
  if (s.status !== "reserved" || s.escrowId !== escrowId) return null;
  assertListingAction(outcome, s.status, "system");
  return outcome === "sell"
    ? step("sell", { ...s, status: "sold", soldAt: now, updatedAt: now })
    : step("unreserve", { ...s, status: "approved", escrowId: null, updatedAt: now });
}

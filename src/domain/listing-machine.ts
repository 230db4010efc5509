// The marketplace listing state machine (pure): draft → under_review → approved → reserved → sold, with admin
// rejection and requests for more information, a reservation returned when its escrow is refunded.
import { ApiError, fail } from "../lib/errors";
import { LISTING_STATUSES } from "./events";

export { LISTING_STATUSES };
export type ListingStatus = (typeof LISTING_STATUSES)[number];
export type ListingActor = "seller" | "admin" | "system";
export type ListingAction = "edit" | "delete" | "submit" | "approve" | "reject" | "request_info" | "reserve" | "sell" | "unreserve";
export type ListingEventType = "listing.submitted" | "listing.approved" | "listing.rejected" | "listing.reserved" | "listing.sold";

interface Rule {
  from: readonly ListingStatus[];
  /** null: the status stays (edits) or the listing goes away (delete). */
  to: ListingStatus | null;
  by: readonly ListingActor[];
  emits: ListingEventType | null;
}

export const LISTING_RULES: Record<ListingAction, Rule> = {
  edit: { from: ["draft", "rejected"], to: null, by: ["seller"], emits: null },
  delete: { from: ["draft", "rejected"], to: null, by: ["seller"], emits: null },
  submit: { from: ["draft", "rejected"], to: "under_review", by: ["seller"], emits: "listing.submitted" },
  approve: { from: ["under_review"], to: "approved", by: ["admin"], emits: "listing.approved" },
  reject: { from: ["under_review"], to: "rejected", by: ["admin"], emits: "listing.rejected" },
  // Back to the seller as a draft, with the admin's question in reviewNote.
  request_info: { from: ["under_review"], to: "draft", by: ["admin"], emits: null },
  reserve: { from: ["approved"], to: "reserved", by: ["system"], emits: "listing.reserved" },
  sell: { from: ["reserved"], to: "sold", by: ["system"], emits: "listing.sold" },
  unreserve: { from: ["reserved"], to: "approved", by: ["system"], emits: null },
};

/** AUTH003 for the wrong actor, RES002 for the wrong status; the rule otherwise. */
export function assertListingAction(action: ListingAction, status: ListingStatus, actor: ListingActor): Rule {
  const rule = LISTING_RULES[action];
  if (!rule.by.includes(actor)) throw fail.forbidden(`Only ${rule.by.join(" or ")} may ${action.replace("_", " ")} this listing`);
  if (!rule.from.includes(status)) {
    throw new ApiError("RES002", `Cannot ${action.replace("_", " ")} a listing that is ${status}`, { details: { status, action } });
  }
  return rule;
}

export function canListingAction(action: ListingAction, status: ListingStatus, actor: ListingActor): boolean {
  const rule = LISTING_RULES[action];
  return rule.from.includes(status) && rule.by.includes(actor);
}

/** Who sees a listing outside the catalog: its seller and admins; everyone sees approved ones in the catalog. */
export const PUBLIC_LISTING_STATUSES: readonly ListingStatus[] = ["approved"];

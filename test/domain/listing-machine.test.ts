// The listing state machine as one table: every (action, status, actor) walked against it, and each transition
// function returning the table's status and events.
import { describe, expect, it } from "vitest";
import {
  LISTING_RULES,
  LISTING_STATUSES,
  MAX_PROOFS,
  addProof,
  assertListingAction,
  canListingAction,
  createListing,
  deleteListing,
  editListing,
  moderateListing,
  reserveListing,
  settleReservation,
  submitListing,
  type ListingAction,
  type ListingActor,
  type ListingState,
} from "../../src/domain/listing-machine";
import { isEventType } from "../../src/domain/events";
import { ApiError } from "../../src/lib/errors";

const EXPECTED: Record<ListingAction, [string[], string | null, ListingActor[], string[]]> = {
  edit: [["draft", "rejected"], null, ["seller"], []],
  add_proof: [["draft", "rejected"], null, ["seller"], []],
  delete: [["draft", "rejected"], null, ["seller"], []],
  submit: [["draft", "rejected"], "under_review", ["seller"], ["listing.submitted"]],
  approve: [["under_review"], "approved", ["admin"], ["listing.approved"]],
  reject: [["under_review"], "rejected", ["admin"], ["listing.rejected"]],
  request_info: [["under_review"], "draft", ["admin"], ["listing.info_requested"]],
  reserve: [["approved"], "reserved", ["system"], ["listing.reserved"]],
  sell: [["reserved"], "sold", ["system"], ["listing.sold"]],
  unreserve: [["reserved"], "approved", ["system"], ["listing.unreserved"]],
};

const NOW = "2026-11-30T03:00:00.000Z";
const listing = (over: Partial<ListingState> = {}): ListingState => ({
  ...createListing(
    {
      id: "lst_1",
      sellerId: "usr_s",
      title: "Page",
      description: "d",
      category: "social",
      priceAmount: 100,
      currency: "NGN",
    },
    NOW,
  ).state,
  ...over,
});
const proof = (id: string) => ({
  id,
  name: "shot.png",
  contentType: "image/png",
  size: 3,
  sha256: "ab",
  createdAt: NOW,
});

/** Runs `action` through its transition function (the room's only way to change a listing). */
function apply(action: ListingAction, s: ListingState, actor: ListingActor) {
  switch (action) {
    case "edit":
      return editListing(s, actor, { title: "New" }, NOW);
    case "add_proof":
      return addProof(s, actor, proof("att_1"), NOW);
    case "delete":
      return deleteListing(s, actor, NOW);
    case "submit":
      return submitListing(s, actor, NOW);
    case "approve":
    case "reject":
    case "request_info":
      return moderateListing(s, actor, action, action === "approve" ? null : "why", NOW);
    case "reserve":
      if (actor !== "system") return assertListingAction(action, s.status, actor);
      return reserveListing(s, "esc_1", NOW);
    case "sell":
    case "unreserve":
      if (actor !== "system") return assertListingAction(action, s.status, actor);
      return settleReservation(s, "esc_1", action, NOW) ?? assertListingAction(action, s.status, actor);
  }
}

describe("listing machine", () => {
  it("the table holds exactly the expected transitions, and every published event is in the catalog", () => {
    for (const action of Object.keys(EXPECTED) as ListingAction[]) {
      const [from, to, by, emits] = EXPECTED[action];
      expect(LISTING_RULES[action]).toMatchObject({ from, to, by, emits });
      for (const type of LISTING_RULES[action].emits) expect(isEventType(type), type).toBe(true);
    }
  });

  it("every (action, status, actor): allowed ones move to the table's status with its events; wrong actor AUTH003, wrong status RES002", () => {
    for (const action of Object.keys(EXPECTED) as ListingAction[]) {
      const [from, to, by, emits] = EXPECTED[action];
      for (const status of LISTING_STATUSES) {
        for (const actor of ["seller", "admin", "system"] as const) {
          const want = from.includes(status) && by.includes(actor);
          expect(canListingAction(action, status, actor), `${action} ${status} ${actor}`).toBe(want);
          let code: string | null = null;
          let result: unknown = null;
          try {
            result = apply(
              action,
              listing({ status, escrowId: status === "reserved" || status === "sold" ? "esc_1" : null }),
              actor,
            );
          } catch (e) {
            code = (e as ApiError).code;
          }
          expect(code, `${action} ${status} ${actor}`).toBe(want ? null : by.includes(actor) ? "RES002" : "AUTH003");
          if (!want) continue;
          const t = result as { state: ListingState; events: string[] };
          expect(t.state.status).toBe(to ?? status);
          expect(t.events.filter(isEventType)).toEqual(emits);
        }
      }
    }
  });

  it("reservation: the escrow is remembered; only that escrow sells or returns it, a repeat changes nothing", () => {
    const reserved = reserveListing(listing({ status: "approved" }), "esc_1", NOW).state;
    expect(reserved).toMatchObject({ status: "reserved", escrowId: "esc_1" });
    expect(settleReservation(reserved, "esc_other", "sell", NOW)).toBeNull();
    const sold = settleReservation(reserved, "esc_1", "sell", NOW)!;
    expect(sold.state).toMatchObject({ status: "sold", escrowId: "esc_1", soldAt: NOW });
    expect(settleReservation(sold.state, "esc_1", "sell", NOW)).toBeNull();
    const back = settleReservation(reserved, "esc_1", "unreserve", NOW)!;
    expect(back).toEqual({
      state: expect.objectContaining({ status: "approved", escrowId: null }),
      events: ["listing.unreserved"],
    });
    expect(settleReservation(back.state, "esc_1", "unreserve", NOW)).toBeNull();
  });

  it("edits, proofs and deletion are audited (not published); the review note travels with the decision", () => {
    expect(
      createListing(
        { id: "lst_1", sellerId: "u", title: "t", description: "d", category: "c", priceAmount: 1, currency: "NGN" },
        NOW,
      ).events,
    ).toEqual(["listing.created"]);
    expect(editListing(listing(), "seller", { price: { amount: 5, currency: "USD" } }, NOW).state).toMatchObject({
      priceAmount: 5,
      currency: "USD",
    });
    expect(deleteListing(listing(), "seller", NOW)).toEqual({
      state: expect.objectContaining({ deletedAt: NOW }),
      events: ["listing.deleted"],
    });
    const full = listing({ proofs: Array.from({ length: MAX_PROOFS }, (_, i) => proof(`att_${i}`)) });
    expect(() => addProof(full, "seller", proof("att_x"), NOW)).toThrow(expect.objectContaining({ code: "RES002" }));
    const info = moderateListing(
      listing({ status: "under_review" }),
      "admin",
      "request_info",
      "add traffic stats",
      NOW,
    );
    expect(info.state).toMatchObject({ status: "draft", reviewNote: "add traffic stats" });
    expect(moderateListing(listing({ status: "under_review" }), "admin", "approve", null, NOW).state.approvedAt).toBe(
      NOW,
    );
  });
});

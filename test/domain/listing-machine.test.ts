import { describe, expect, it } from "vitest";
import { LISTING_RULES, LISTING_STATUSES, assertListingAction, canListingAction, type ListingAction, type ListingActor } from "../../src/domain/listing-machine";
import { ApiError } from "../../src/lib/errors";

const EXPECTED: Record<ListingAction, [string[], string | null, ListingActor[]]> = {
  edit: [["draft", "rejected"], null, ["seller"]],
  delete: [["draft", "rejected"], null, ["seller"]],
  submit: [["draft", "rejected"], "under_review", ["seller"]],
  approve: [["under_review"], "approved", ["admin"]],
  reject: [["under_review"], "rejected", ["admin"]],
  request_info: [["under_review"], "draft", ["admin"]],
  reserve: [["approved"], "reserved", ["system"]],
  sell: [["reserved"], "sold", ["system"]],
  unreserve: [["reserved"], "approved", ["system"]],
};

describe("listing machine", () => {
  it("allows exactly the expected transitions; wrong actor AUTH003, wrong status RES002", () => {
    for (const action of Object.keys(EXPECTED) as ListingAction[]) {
      const [from, to, by] = EXPECTED[action];
      expect(LISTING_RULES[action].to).toBe(to);
      for (const status of LISTING_STATUSES) {
        for (const actor of ["seller", "admin", "system"] as const) {
          const want = from.includes(status) && by.includes(actor);
          expect(canListingAction(action, status, actor), `${action} ${status} ${actor}`).toBe(want);
          let code: string | null = null;
          try {
            assertListingAction(action, status, actor);
          } catch (e) {
            code = (e as ApiError).code;
          }
          expect(code).toBe(want ? null : by.includes(actor) ? "RES002" : "AUTH003");
        }
      }
    }
  });

  it("emits the catalog events on the steps that have one", () => {
    expect(LISTING_RULES.submit.emits).toBe("listing.submitted");
    expect(LISTING_RULES.approve.emits).toBe("listing.approved");
    expect(LISTING_RULES.reject.emits).toBe("listing.rejected");
    expect(LISTING_RULES.reserve.emits).toBe("listing.reserved");
    expect(LISTING_RULES.sell.emits).toBe("listing.sold");
    expect(LISTING_RULES.unreserve.emits).toBeNull();
    expect(canListingAction("edit", "sold", "seller")).toBe(false);
  });
});

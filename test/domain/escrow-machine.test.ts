import { describe, expect, it } from "vitest";
import {
  ESCROW_RULES,
  ESCROW_STATUSES,
  actorOf,
  assertCanTake,
  autoComplete,
  canTake,
  cancel,
  contractBindingRefusal,
  expire,
  openCheckout,
  settleDeadlines,
  confirm,
  contractSigned,
  createEscrow,
  deliver,
  dispute,
  fund,
  initializePayment,
  payoutSettled,
  refund,
  releaseFunds,
  reveal,
  type EscrowAction,
  type EscrowActor,
  type EscrowState,
  type EscrowStatus,
} from "../../src/domain/escrow-machine";
import { splitAmount } from "../../src/domain/money";
import { ApiError } from "../../src/lib/errors";

const NOW = "2026-11-22T12:00:00.000Z";
const LATER = "2026-11-22T13:00:00.000Z";
const ACTORS: EscrowActor[] = ["buyer", "seller", "admin", "system"];

const base = () =>
  createEscrow(
    {
      id: "esc_00000000000000000001",
      buyerId: "usr_b",
      sellerId: "usr_s",
      listingId: null,
      contractId: null,
      currency: "NGN",
      split: splitAmount(100_000, 250),
      description: "a domain",
      inspectionPeriodHours: 24,
      provider: "test",
    },
    NOW,
  );
const inStatus = (status: EscrowStatus, extra: Partial<EscrowState> = {}): EscrowState => ({
  ...base(),
  status,
  ...extra,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof ApiError ? e.code : "other";
  }
  return null;
};

// The expected table, written out independently of ESCROW_RULES so a change to either is caught.
const EXPECTED: Record<EscrowAction, { from: EscrowStatus[]; to: EscrowStatus | null; by: EscrowActor[] }> = {
  fund: { from: ["pending"], to: "funds_held", by: ["system"] },
  contract_signed: { from: ["funds_held"], to: "contract_signed", by: ["system"] },
  deliver: { from: ["funds_held", "contract_signed"], to: null, by: ["seller"] },
  reveal: { from: ["contract_signed"], to: "credentials_released", by: ["buyer"] },
  confirm: { from: ["credentials_released"], to: "completed", by: ["buyer"] },
  auto_complete: { from: ["credentials_released"], to: "completed", by: ["system"] },
  dispute: { from: ["funds_held", "contract_signed", "credentials_released"], to: "disputed", by: ["buyer", "seller"] },
  release: { from: ["disputed"], to: "completed", by: ["admin"] },
  refund: { from: ["funds_held", "contract_signed", "disputed"], to: "refunded", by: ["admin"] },
  cancel: { from: ["pending"], to: "cancelled", by: ["buyer", "admin"] },
  expire: { from: ["pending"], to: "expired", by: ["system"] },
};

describe("escrow machine: the transition table", () => {
  it("allows exactly the expected (action, status, actor) triples and refuses the rest with the right code", () => {
    let allowed = 0;
    for (const action of Object.keys(EXPECTED) as EscrowAction[]) {
      expect(ESCROW_RULES[action].to).toBe(EXPECTED[action].to);
      for (const status of ESCROW_STATUSES) {
        for (const actor of ACTORS) {
          const want = EXPECTED[action].from.includes(status) && EXPECTED[action].by.includes(actor);
          expect(canTake(action, status, actor), `${action} ${status} ${actor}`).toBe(want);
          const code = codeOf(() => assertCanTake(action, status, actor));
          if (want) {
            allowed++;
            expect(code).toBeNull();
          } else if (!EXPECTED[action].by.includes(actor)) expect(code).toBe("AUTH003");
          else expect(code).toBe("RES002");
        }
      }
    }
    expect(allowed).toBe(20);
  });

  it("terminal statuses admit no action", () => {
    for (const status of ["completed", "refunded", "cancelled", "expired"] as const) {
      for (const action of Object.keys(EXPECTED) as EscrowAction[]) {
        for (const actor of ACTORS) expect(canTake(action, status, actor)).toBe(false);
      }
    }
  });

  it("names the actor: buyer, seller, admin, or nobody", () => {
    const s = base();
    expect(actorOf(s, "usr_b", false)).toBe("buyer");
    expect(actorOf(s, "usr_s", true)).toBe("seller");
    expect(actorOf(s, "usr_x", true)).toBe("admin");
    expect(actorOf(s, "usr_x", false)).toBeNull();
  });
});

describe("escrow machine: the happy path and what each step emits", () => {
  it("pending → funds_held → contract_signed → credentials_released → completed", () => {
    let s = base();
    expect(s.status).toBe("pending");
    s = initializePayment(s, "buyer", "test", "ref_1", NOW);
    expect(s.payment).toMatchObject({ reference: "ref_1", status: "initialized" });

    const funded = fund(s, { amount: 100_000, currency: "NGN" }, NOW);
    expect(funded.events).toEqual(["escrow.funded"]);
    expect(funded.state).toMatchObject({ status: "funds_held", fundedAt: NOW, payment: { status: "succeeded" } });

    const signed = contractSigned(funded.state, NOW);
    expect(signed.events).toEqual(["escrow.contract_signed"]);
    expect(signed.state.status).toBe("contract_signed");

    const delivered = deliver(signed.state, "seller", NOW);
    expect(delivered.events).toEqual(["escrow.delivered"]);
    expect(delivered.state.status).toBe("contract_signed");

    const revealed = reveal(delivered.state, "buyer", NOW);
    expect(revealed.events).toEqual(["escrow.credentials_released"]);
    expect(revealed.state).toMatchObject({
      status: "credentials_released",
      inspectionEndsAt: "2026-11-23T12:00:00.000Z",
    });
    expect(codeOf(() => reveal(revealed.state, "buyer", NOW))).toBe("RES002");

    const done = confirm(revealed.state, "buyer", LATER);
    expect(done.events).toEqual(["escrow.completed"]);
    expect(done.state).toMatchObject({ status: "completed", completedAt: LATER, payout: { status: "queued" } });
  });

  it("a contract signed before funding is remembered and applied when the money arrives", () => {
    const early = contractSigned(base(), NOW);
    expect(early.events).toEqual([]);
    expect(early.state.status).toBe("pending");
    const funded = fund(early.state, { amount: 100_000, currency: "NGN" }, LATER);
    expect(funded.events).toEqual(["escrow.funded", "escrow.contract_signed"]);
    expect(funded.state.status).toBe("contract_signed");
  });

  it("fund takes only the exact amount and currency (any other charge is the payment machine's unmatched payment)", () => {
    for (const paid of [
      { amount: 99_999, currency: "NGN" },
      { amount: 100_000, currency: "USD" },
    ]) {
      expect(codeOf(() => fund(base(), paid, NOW))).toBe("RES002");
    }
  });

  it("reveal needs a delivery first; deliver happens once", () => {
    const s = inStatus("contract_signed");
    expect(codeOf(() => reveal(s, "buyer", NOW))).toBe("RES002");
    const d = deliver(s, "seller", NOW).state;
    expect(codeOf(() => deliver(d, "seller", NOW))).toBe("RES002");
  });

  it("only the buyer may start a payment, and only while pending", () => {
    expect(codeOf(() => initializePayment(base(), "seller", "test", "r", NOW))).toBe("AUTH003");
    expect(codeOf(() => initializePayment(inStatus("funds_held"), "buyer", "test", "r", NOW))).toBe("RES002");
  });

  it("auto-completion waits for the end of the inspection period", () => {
    const s = reveal(deliver(inStatus("contract_signed"), "seller", NOW).state, "buyer", NOW).state;
    expect(autoComplete(s, LATER)).toBeNull();
    const done = autoComplete(s, "2026-11-23T12:00:00.000Z");
    expect(done?.events).toEqual(["escrow.completed"]);
    expect(done?.state.payout.status).toBe("queued");
    expect(autoComplete(inStatus("disputed", { inspectionEndsAt: NOW }), LATER)).toBeNull();
  });

  it("disputes and their resolutions", () => {
    const d = dispute(inStatus("credentials_released"), "seller", "not as described", NOW);
    expect(d.events).toEqual(["escrow.disputed"]);
    expect(d.state).toMatchObject({ status: "disputed", disputeReason: "not as described", disputedAt: NOW });
    const released = releaseFunds(d.state, "admin", LATER);
    expect(released.events).toEqual(["escrow.released", "escrow.completed"]);
    expect(released.state).toMatchObject({ status: "completed", payout: { status: "queued" } });
    const refunded = refund(d.state, "admin", LATER);
    expect(refunded.events).toEqual(["escrow.refunded"]);
    expect(refunded.state).toMatchObject({
      status: "refunded",
      refundedAt: LATER,
      payment: { status: "refund_pending" },
    });
    expect(codeOf(() => releaseFunds(d.state, "buyer", LATER))).toBe("AUTH003");
  });

  it("payout outcomes: each reported once, a sent payout is never marked failed", () => {
    const c = confirm(inStatus("credentials_released"), "buyer", NOW).state;
    const sent = payoutSettled(c, "sent", null, NOW)!;
    expect(sent.events).toEqual(["escrow.payout_sent"]);
    expect(payoutSettled(sent.state, "sent", null, NOW)).toBeNull();
    expect(payoutSettled(sent.state, "failed", "x", NOW)).toBeNull();
    const reversed = payoutSettled(sent.state, "reversed", "bank", NOW)!;
    expect(reversed.events).toEqual(["escrow.payout_failed"]);
    expect(codeOf(() => payoutSettled(inStatus("disputed"), "sent", null, NOW))).toBe("RES002");
  });
});

describe("escrow machine: the ways out of an unfunded escrow", () => {
  it("the buyer or an admin cancels a pending escrow; nobody cancels a funded one", () => {
    const c = cancel(base(), "buyer", "changed my mind", LATER);
    expect(c.events).toEqual(["escrow.cancelled"]);
    expect(c.data).toEqual({ reason: "changed my mind" });
    expect(c.state).toMatchObject({ status: "cancelled", cancelledAt: LATER, cancelReason: "changed my mind" });
    expect(cancel(base(), "admin", null, LATER).state.status).toBe("cancelled");
    expect(codeOf(() => cancel(base(), "seller", null, LATER))).toBe("AUTH003");
    expect(codeOf(() => cancel(inStatus("funds_held"), "buyer", null, LATER))).toBe("RES002");
  });

  it("a reservation expires at expiresAt (default 60 minutes), not before, and only while pending", () => {
    const s = base();
    expect(s.expiresAt).toBe("2026-11-22T13:00:00.000Z");
    expect(expire(s, "2026-11-22T12:59:59.999Z")).toBeNull();
    const e = expire(s, LATER)!;
    expect(e.events).toEqual(["escrow.expired"]);
    expect(e.state).toMatchObject({ status: "expired", expiredAt: LATER });
    expect(expire(inStatus("funds_held"), LATER)).toBeNull();
    expect(createEscrow({ ...(base() as any), split: splitAmount(100, 0), reservationMinutes: 5 }, NOW).expiresAt).toBe(
      "2026-11-22T12:05:00.000Z",
    );
  });

  it("settleDeadlines applies whichever deadline passed (reservation or inspection), checked at command time", () => {
    expect(settleDeadlines(base(), NOW)).toBeNull();
    expect(settleDeadlines(base(), LATER)!.state.status).toBe("expired");
    const inspecting = inStatus("credentials_released", { inspectionEndsAt: LATER });
    expect(settleDeadlines(inspecting, LATER)!.state.status).toBe("completed");
  });

  it("a retried checkout reuses the open reference for 30 minutes", () => {
    const s = initializePayment(base(), "buyer", "test", "ref_1", NOW, "https://pay/ref_1");
    expect(openCheckout(s, "buyer", "2026-11-22T12:29:00.000Z")).toEqual({
      reference: "ref_1",
      authorizationUrl: "https://pay/ref_1",
    });
    expect(openCheckout(s, "buyer", "2026-11-22T12:30:00.000Z")).toBeNull();
    expect(openCheckout(base(), "buyer", NOW)).toBeNull();
    expect(codeOf(() => openCheckout(s, "seller", NOW))).toBe("AUTH003");
    expect(codeOf(() => openCheckout(inStatus("cancelled"), "buyer", NOW))).toBe("RES002");
  });
});

describe("escrow machine: binding a contract (issue 12 kind 4)", () => {
  const buyer = { email: "bea@example.com", emailVerifiedAt: NOW };
  const seller = { email: "sam@example.com", emailVerifiedAt: NOW };
  const signer = (email: string, role = "signer") => ({ email, role });

  it("binds a draft or pending contract signed by both parties", () => {
    for (const status of ["draft", "pending"]) {
      expect(
        contractBindingRefusal(
          { status, signers: [signer("Bea@example.com"), signer("sam@example.com")] },
          buyer,
          seller,
        ),
      ).toBeNull();
    }
  });

  it("refuses a contract between the buyer and a friend, an active contract, an unverified party, an approver-only seller", () => {
    const friend = contractBindingRefusal(
      { status: "pending", signers: [signer("bea@example.com"), signer("friend@example.com")] },
      buyer,
      seller,
    );
    expect(friend).toMatch(/seller/);
    expect(
      contractBindingRefusal(
        { status: "active", signers: [signer("bea@example.com"), signer("sam@example.com")] },
        buyer,
        seller,
      ),
    ).toMatch(/active/);
    const both = { status: "draft", signers: [signer("bea@example.com"), signer("sam@example.com")] };
    expect(contractBindingRefusal(both, buyer, { ...seller, emailVerifiedAt: null })).toMatch(/seller/);
    expect(
      contractBindingRefusal(
        { status: "draft", signers: [signer("bea@example.com"), signer("sam@example.com", "approver")] },
        buyer,
        seller,
      ),
    ).toMatch(/seller/);
  });
});

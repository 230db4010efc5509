import { describe, expect, it } from "vitest";
import {
  ESCROW_RULES,
  ESCROW_STATUSES,
  actorOf,
  assertCanTake,
  autoComplete,
  canTake,
  confirm,
  contractSigned,
  createEscrow,
  deliver,
  dispute,
  fund,
  initializePayment,
  payoutSettled,
  refund,
  release,
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
const inStatus = (status: EscrowStatus, extra: Partial<EscrowState> = {}): EscrowState => ({ ...base(), status, ...extra });
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
    expect(allowed).toBe(17);
  });

  it("terminal statuses admit no action", () => {
    for (const status of ["completed", "refunded"] as const) {
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
    expect(revealed.state).toMatchObject({ status: "credentials_released", inspectionEndsAt: "2026-11-23T12:00:00.000Z" });
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

  it("an amount or currency mismatch flags the payment and does not fund", () => {
    for (const paid of [{ amount: 99_999, currency: "NGN" }, { amount: 100_000, currency: "USD" }]) {
      const r = fund(base(), paid, NOW);
      expect(r.events).toEqual([]);
      expect(r.state.status).toBe("pending");
      expect(r.state.payment.status).toBe("flagged");
      expect(r.state.payment.flagReason).toContain("expected 100000 NGN");
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
    const released = release(d.state, "admin", LATER);
    expect(released.events).toEqual(["escrow.released", "escrow.completed"]);
    expect(released.state).toMatchObject({ status: "completed", payout: { status: "queued" } });
    const refunded = refund(d.state, "admin", LATER);
    expect(refunded.events).toEqual(["escrow.refunded"]);
    expect(refunded.state).toMatchObject({ status: "refunded", refundedAt: LATER, payment: { status: "refund_pending" } });
    expect(codeOf(() => release(d.state, "buyer", LATER))).toBe("AUTH003");
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

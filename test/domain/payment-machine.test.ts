// The payment machine: every provider event moves money states forward only; anything else is a timeline note.
import { describe, expect, it } from "vitest";
import {
  confirm,
  createEscrow,
  PAYOUT_FLOW,
  payoutRequested,
  retryPayout,
  type EscrowState,
} from "../../src/domain/escrow-machine";
import {
  applyRefund,
  applyTransfer,
  receiveCharge,
  retryChargeRefund,
  NOT_APPLIED,
} from "../../src/domain/payment-machine";
import { splitAmount } from "../../src/domain/money";
import { ApiError } from "../../src/lib/errors";

const NOW = "2026-11-22T12:00:00.000Z";
const base = (): EscrowState =>
  createEscrow(
    {
      id: "esc_00000000000000000001",
      buyerId: "usr_b",
      sellerId: "usr_s",
      listingId: null,
      contractId: null,
      currency: "NGN",
      split: splitAmount(100_000, 250),
      description: "d",
      inspectionPeriodHours: 24,
      provider: "test",
    },
    NOW,
  );
const paid = (reference: string, amount = 100_000, currency = "NGN") => ({ reference, amount, currency });
const completed = () =>
  payoutRequested(confirm({ ...base(), status: "credentials_released" }, "buyer", NOW).state, "po-1", NOW, "RCP_1");

describe("charges", () => {
  it("the first successful charge funds; a second reference's charge is unmatched (already funded) and to be refunded", () => {
    const first = receiveCharge(base(), paid("ref-1"), "pay_1", NOW);
    expect(first.outcome).toBe("funded");
    expect(first.transition.events).toEqual(["escrow.funded"]);
    expect(first.transition.state).toMatchObject({
      status: "funds_held",
      payment: { reference: "ref-1", status: "succeeded" },
    });
    const second = receiveCharge(first.transition.state, paid("ref-2"), "pay_2", NOW);
    expect(second.outcome).toBe("unmatched");
    expect(second.transition.events).toEqual(["escrow.payment_unmatched"]);
    expect(second.transition.data).toMatchObject({
      paymentId: "pay_2",
      reference: "ref-2",
      reason: "already_funded",
      amount: 100_000,
    });
    expect(second.transition.state.charges.map((c) => c.status)).toEqual(["funded", "refund_pending"]);
  });

  it("a repeat of a recorded charge changes nothing and answers the recorded outcome", () => {
    const s = receiveCharge(base(), paid("ref-1"), "pay_1", NOW).transition.state;
    const again = receiveCharge(s, paid("ref-1"), "pay_x", NOW);
    expect(again.outcome).toBe("funded");
    expect(again.transition.state).toBe(s);
    expect(again.transition.events).toEqual([]);
  });

  it("each reason a charge cannot fund is named", () => {
    const cases: [EscrowState, ReturnType<typeof paid>, string][] = [
      [base(), paid("r", 1), "amount_mismatch"],
      [base(), paid("r", 100_000, "USD"), "currency_mismatch"],
      [{ ...base(), status: "cancelled" }, paid("r"), "escrow_cancelled"],
      [{ ...base(), status: "expired" }, paid("r"), "escrow_expired"],
    ];
    for (const [s, p, reason] of cases) {
      const r = receiveCharge(s, p, "pay_1", NOW);
      expect(r.outcome).toBe("unmatched");
      expect(r.transition.state.status).toBe(s.status);
      expect(r.transition.state.charges[0]).toMatchObject({ status: "refund_pending", reason });
    }
  });

  it("an unmatched charge's refund moves forward only; an admin retries a failed one", () => {
    const s = receiveCharge({ ...base(), status: "cancelled" }, paid("r"), "pay_1", NOW).transition.state;
    const failed = applyRefund(s, "r", false, "bank said no", NOW);
    expect(failed.outcome).toBe("refund_failed");
    expect(failed.transition.state.charges[0]).toMatchObject({ status: "refund_failed", lastError: "bank said no" });
    const retried = retryChargeRefund(failed.transition.state, "r", NOW).state;
    expect(retried.charges[0]!.status).toBe("refund_pending");
    const done = applyRefund(retried, "r", true, null, NOW);
    expect(done.transition.state.charges[0]).toMatchObject({ status: "refunded", refundedAt: NOW });
    // a late refund.failed after refunded: noted, not applied
    const late = applyRefund(done.transition.state, "r", false, "late", NOW);
    expect(late.outcome).toBe("ignored");
    expect(late.transition.state).toBe(done.transition.state);
    expect(late.transition.notes![0]!.type).toBe(NOT_APPLIED);
    expect(() => retryChargeRefund(done.transition.state, "r", NOW)).toThrow(ApiError);
  });
});

describe("transfers (issue 20 kind 4)", () => {
  it("a payout whose transfer.reversed was applied does not turn back into sent on a late transfer.success", () => {
    const sent = applyTransfer(completed(), "po-1", "sent", null, NOW);
    expect(sent.transition.events).toEqual(["escrow.payout_sent"]);
    const reversed = applyTransfer(sent.transition.state, "po-1", "reversed", "account closed", NOW);
    expect(reversed.outcome).toBe("payout_reversed");
    expect(reversed.transition.events).toEqual(["escrow.payout_failed"]);
    const late = applyTransfer(reversed.transition.state, "po-1", "sent", null, NOW);
    expect(late.outcome).toBe("ignored");
    expect(late.transition.events).toEqual([]);
    expect(late.transition.state.payout.status).toBe("reversed");
    expect(late.transition.notes![0]).toMatchObject({
      type: NOT_APPLIED,
      data: { event: "transfer.success", reference: "po-1" },
    });
  });

  it("a retry is a new attempt: events for the earlier attempt's reference are noted, not applied", () => {
    const failed = applyTransfer(completed(), "po-1", "failed", "invalid account", NOW).transition.state;
    const again = retryPayout(failed, NOW);
    expect(again.payout).toMatchObject({ status: "queued", generation: 1 });
    const requested = payoutRequested(again, "po-1-1", NOW, "RCP_2");
    expect(applyTransfer(requested, "po-1", "sent", null, NOW).outcome).toBe("ignored");
    expect(applyTransfer(requested, "po-1-1", "sent", null, NOW).outcome).toBe("payout_sent");
  });

  it("the payout flow table only moves forward", () => {
    expect(PAYOUT_FLOW.sent).toEqual(["reversed"]);
    expect(PAYOUT_FLOW.reversed).not.toContain("sent");
    expect(PAYOUT_FLOW.failed).not.toContain("sent");
  });
});

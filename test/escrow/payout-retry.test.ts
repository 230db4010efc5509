// A payout retried after a provider failure pays once: Paystack replaced at its HTTP boundary by a fake that
// keeps a ledger and, like Paystack, refuses a second transfer under the same reference.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { payoutJob } from "../../src/jobs/escrow-payout";
import { PaystackProvider } from "../../src/lib/payments/paystack";
import { payoutReference } from "../../src/lib/payments/provider";
import { sealRecord } from "../../src/lib/vault";
import { splitAmount } from "../../src/domain/money";
import { newId } from "../../src/lib/ids";
import { queueMessage } from "../../src/lib/queue-messages";

type Mode = "fail-before" | "fail-after-accepting" | "ok";

function fakePaystack(modes: Mode[]) {
  const ledger: { reference: string; amount: number; recipient: string }[] = [];
  let call = 0;
  const fetcher = (async (_input: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    const mode = modes[call++] ?? "ok";
    const json = (status: number, payload: unknown) =>
      new Response(JSON.stringify(payload), { status, headers: { "content-type": "application/json" } });
    if (mode === "fail-before") return json(503, { status: false, message: "Service unavailable" });
    if (ledger.some((t) => t.reference === body.reference))
      return json(400, { status: false, message: "Duplicate Transfer Reference" });
    ledger.push({ reference: body.reference, amount: body.amount, recipient: body.recipient });
    if (mode === "fail-after-accepting") return json(504, { status: false, message: "Gateway timeout" });
    return json(200, {
      status: true,
      message: "Transfer has been queued",
      data: { status: "success", reference: body.reference, transfer_code: "TRF_x" },
    });
  }) as typeof fetch;
  const job = payoutJob({
    providerFor: () =>
      new PaystackProvider({ baseUrl: "https://paystack.fake", secretKey: "sk_test_x", fetch: fetcher }),
    recipientFor: async () => "RCP_seller",
  });
  return {
    ledger,
    run: (escrowId: string) =>
      job(queueMessage("jobs", "escrow.payout", `payout:${escrowId}`, { escrowId }), env, {
        attempts: 1,
        lastAttempt: false,
        queue: "escra-jobs",
      }),
  };
}

/** A completed Paystack escrow, driven through its room. */
async function completedEscrow() {
  const id = newId("esc");
  const buyer = { userId: newId("usr"), isAdmin: false };
  const seller = { userId: newId("usr"), isAdmin: false };
  const room = escrowRoom(env, id);
  const must = <T>(r: { ok: boolean; value?: T; error?: unknown }) => {
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value as T;
  };
  must(
    await room.create({
      id,
      buyerId: buyer.userId,
      sellerId: seller.userId,
      listingId: null,
      contractId: null,
      currency: "NGN",
      split: splitAmount(200_000, 250),
      description: "d",
      inspectionPeriodHours: 1,
      provider: "paystack",
    }),
  );
  must(await room.startPayment(buyer, "paystack", "ref-1"));
  expect(must(await room.paymentReceived({ reference: "ref-1", amount: 200_000, currency: "NGN" }))).toBe("funded");
  must(await room.contractActivated());
  must(await room.deliver(seller, sealRecord(env.VAULT_KEK, id, "{}")));
  must(await room.reveal(buyer));
  must(await room.confirm(buyer));
  return { id, room };
}

describe("escrow.payout job", () => {
  it("a provider failure, then the retry: paid exactly once", async () => {
    const { id, room } = await completedEscrow();
    const paystack = fakePaystack(["fail-before", "ok"]);
    await expect(paystack.run(id)).rejects.toThrow(/Paystack/); // the queue retries it
    expect((await room.get())!.payout.status).toBe("queued");
    await paystack.run(id);
    await paystack.run(id); // a redelivery after success: nothing more
    expect(paystack.ledger).toEqual([{ reference: payoutReference(id), amount: 195_000, recipient: "RCP_seller" }]);
    expect((await room.get())!.payout).toMatchObject({ status: "sent", reference: payoutReference(id), attempts: 2 });
    const types = (await room.auditTrail()).map((e) => e.type);
    expect(types.filter((t) => t === "escrow.payout_requested")).toHaveLength(2);
    expect(types.filter((t) => t === "escrow.payout_sent")).toHaveLength(1);
  });

  it("the provider took the transfer but the answer was lost: the retry does not pay again", async () => {
    const { id, room } = await completedEscrow();
    const paystack = fakePaystack(["fail-after-accepting", "ok"]);
    await expect(paystack.run(id)).rejects.toThrow();
    await paystack.run(id);
    expect(paystack.ledger).toHaveLength(1);
    expect((await room.get())!.payout.status).toBe("sent");
  });
});

describe("a failed or reversed payout is followed up (issue 20 kind 4)", () => {
  it("waits while the seller's account is unchanged, then retries under a NEW transfer reference", async () => {
    const { id, room } = await completedEscrow();
    const ledger: { reference: string; recipient: string }[] = [];
    let recipient = "RCP_old";
    const fetcher = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      const body = JSON.parse(String(init?.body));
      ledger.push({ reference: body.reference, recipient: body.recipient });
      return new Response(
        JSON.stringify({
          status: true,
          message: "ok",
          data: { status: "success", reference: body.reference, transfer_code: "TRF" },
        }),
        { status: 200 },
      );
    }) as typeof fetch;
    const job = payoutJob({
      providerFor: () =>
        new PaystackProvider({ baseUrl: "https://paystack.fake", secretKey: "sk_test_x", fetch: fetcher }),
      recipientFor: async () => recipient,
    });
    const run = () =>
      job(queueMessage("jobs", "escrow.payout", `payout:${id}`, { escrowId: id }), env, {
        attempts: 1,
        lastAttempt: false,
        queue: "escra-jobs",
      });
    await run();
    expect((await room.get())!.payout).toMatchObject({
      status: "sent",
      reference: payoutReference(id),
      recipient: "RCP_old",
    });
    // The bank returns the money: transfer.reversed.
    const reversed = await room.payoutSettled(payoutReference(id), "reversed", "account closed");
    expect(reversed).toEqual({ ok: true, value: "payout_reversed" });
    // Same account on file: the follow-up job waits for the seller instead of paying into it again.
    await expect(run()).rejects.toThrow(/payout account/);
    expect(ledger).toHaveLength(1);
    recipient = "RCP_new";
    await run();
    expect(ledger).toEqual([
      { reference: payoutReference(id), recipient: "RCP_old" },
      { reference: payoutReference(id, 1), recipient: "RCP_new" },
    ]);
    expect((await room.get())!.payout).toMatchObject({
      status: "sent",
      reference: payoutReference(id, 1),
      generation: 1,
    });
    // A late event for the first attempt changes nothing.
    expect(await room.payoutSettled(payoutReference(id), "sent", null)).toEqual({ ok: true, value: "ignored" });
    const types = (await room.auditTrail()).map((e) => e.type);
    expect(types.filter((t) => t === "escrow.payout_sent")).toHaveLength(2);
    expect(types).toContain("escrow.payout_retried");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import type { TestUser } from "../helpers/users";
import { paystackSignature } from "../../src/lib/payments/signature";
import { fundEscrow, openEscrow, parties } from "./helpers";

let buyer: TestUser, seller: TestUser, outsider: TestUser;
beforeAll(async () => {
  ({ buyer, seller, outsider } = await parties());
});

const webhook = (body: string, signature?: string) =>
  call("POST", "/api/v1/webhooks/paystack", {
    raw: body,
    headers: { "content-type": "application/json", ...(signature ? { "x-paystack-signature": signature } : {}) },
  });
const chargeSuccess = (reference: string, amount: number, currency = "NGN", id = Math.floor(Math.random() * 1e9)) =>
  JSON.stringify({ event: "charge.success", data: { id, status: "success", reference, amount, currency } });
const escrowRow = (id: string) =>
  env.DB.prepare("SELECT status, payment_status, funded_at FROM escrows WHERE id = ?").bind(id).first<any>();

describe("POST /escrows/:id/fund", () => {
  it("gives the buyer a checkout; the signed webhook then funds the escrow", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: buyer.accessToken });
    expect(fund.status).toBe(200);
    const { payment } = fund.body.data;
    expect(payment.provider).toBe("test");
    expect(payment.reference).toMatch(/^esc-[0-9A-Za-z]{20}-[0-9A-Za-z]{10}$/);
    expect(payment.authorizationUrl).toContain(`/dev/payments/${payment.reference}/succeed`);
    expect((await escrowRow(e.id)).payment_status).toBe("initialized");

    const paid = await call("POST", `/api/v1/dev/payments/${payment.reference}/succeed`);
    expect(paid.status).toBe(200);
    expect(paid.body.data.outcome).toBe("funded");
    const got = await call("GET", `/api/v1/escrows/${e.id}`, { token: seller.accessToken });
    expect(got.body.data).toMatchObject({
      status: "funds_held",
      payment: { status: "succeeded", reference: payment.reference },
    });
    expect(got.body.data.fundedAt).not.toBeNull();
    const stored = await env.DB.prepare("SELECT outcome, escrow_id FROM payment_events WHERE reference = ?")
      .bind(payment.reference)
      .all();
    expect(stored.results).toEqual([{ outcome: "funded", escrow_id: e.id }]);

    const again = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: buyer.accessToken });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RES002");
  });

  it("only the buyer funds (seller AUTH003, outsider RES001, bad id VAL001)", async () => {
    const e = await openEscrow(buyer, seller);
    const bySeller = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: seller.accessToken });
    expect(bySeller.status).toBe(403);
    expect(bySeller.body.error.code).toBe("AUTH003");
    const byOutsider = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: outsider.accessToken });
    expect(byOutsider.status).toBe(404);
    const badId = await call("POST", `/api/v1/escrows/esc_x/fund`, { token: buyer.accessToken });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe("VAL001");
  });
});

describe("POST /webhooks/paystack", () => {
  it("refuses a bad or missing signature with 401 and changes nothing", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: buyer.accessToken });
    const body = chargeSuccess(fund.body.data.payment.reference, e.amount);
    const wrongKey = await webhook(body, paystackSignature("sk_test_wrong", body));
    expect(wrongKey.status).toBe(401);
    const missing = await webhook(body);
    expect(missing.status).toBe(401);
    const tampered = await webhook(
      body.replace(String(e.amount), String(e.amount + 1)),
      paystackSignature(env.PAYSTACK_SECRET_KEY, body),
    );
    expect(tampered.status).toBe(401);
    expect((await escrowRow(e.id)).status).toBe("pending");
    const events = await env.DB.prepare("SELECT count(*) AS n FROM payment_events WHERE escrow_id = ?")
      .bind(e.id)
      .first<{ n: number }>();
    expect(events!.n).toBe(0);
  });

  it("applies an event once: a replay is acknowledged and does nothing", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: buyer.accessToken });
    const body = chargeSuccess(fund.body.data.payment.reference, e.amount);
    const sig = paystackSignature(env.PAYSTACK_SECRET_KEY, body);
    const first = await webhook(body, sig);
    expect(first.status).toBe(200);
    expect(first.body.data.outcome).toBe("funded");
    const replay = await webhook(body, sig);
    expect(replay.status).toBe(200);
    expect(replay.body.data.outcome).toBe("replay");
    const trail = await call("GET", `/api/v1/escrows/${e.id}/events`, { token: buyer.accessToken });
    expect(trail.body.data.filter((ev: any) => ev.type === "escrow.funded")).toHaveLength(1);
  });

  it("an amount or currency mismatch does not fund: the charge is unmatched, refunded and on the timeline", async () => {
    for (const [amount, currency, reason] of [
      [1, "NGN", "amount_mismatch"],
      [500_000, "USD", "currency_mismatch"],
    ] as const) {
      const e = await openEscrow(buyer, seller);
      const fund = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: buyer.accessToken });
      const body = chargeSuccess(fund.body.data.payment.reference, amount, currency);
      const res = await webhook(body, paystackSignature(env.PAYSTACK_SECRET_KEY, body));
      expect(res.status).toBe(200);
      expect(res.body.data.outcome).toBe("unmatched");
      expect(await escrowRow(e.id)).toMatchObject({ status: "pending", funded_at: null });
      const trail = await call("GET", `/api/v1/escrows/${e.id}/events`, { token: buyer.accessToken });
      expect(trail.body.data.find((ev: any) => ev.type === "escrow.payment_unmatched")?.data).toMatchObject({
        reason,
        amount,
        currency,
      });
      const { waitFor } = await import("./helpers");
      await waitFor(async () => {
        const row = await env.DB.prepare("SELECT state FROM unmatched_payments WHERE escrow_id = ?")
          .bind(e.id)
          .first<{ state: string }>();
        return row?.state === "refunded";
      }, "the unmatched charge refunded");
    }
  });

  it("ignores a charge for a reference we did not issue, and a non-event body is VAL001", async () => {
    // Paystack sends every event of the merchant account here: another integration's charge is not ours to refund (a
    // reference of our shape whose escrow does not exist is: test/escrow/reconciliation.test.ts).
    const reference = `someone-elses-ref-${crypto.randomUUID()}`;
    const body = chargeSuccess(reference, 100);
    const res = await webhook(body, paystackSignature(env.PAYSTACK_SECRET_KEY, body));
    expect(res.status).toBe(200);
    expect(res.body.data.outcome).toBe("ignored");
    const row = await env.DB.prepare("SELECT id FROM unmatched_payments WHERE reference = ?").bind(reference).first();
    expect(row).toBeNull();
    const junk = "[1,2]";
    const bad = await webhook(junk, paystackSignature(env.PAYSTACK_SECRET_KEY, junk));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
  });
});

describe("POST /dev/payments/:reference/succeed", () => {
  it("404 for an unknown reference; funds once even when called twice", async () => {
    const unknown = await call("POST", "/api/v1/dev/payments/esc-nope/succeed");
    expect(unknown.status).toBe(404);
    const e = await openEscrow(buyer, seller);
    const reference = await fundEscrow(buyer, e.id);
    const again = await call("POST", `/api/v1/dev/payments/${reference}/succeed`);
    expect(again.body.data.outcome).toBe("replay");
  });

  it("answers 404 outside development and test", async () => {
    const { exports } = await import("cloudflare:workers");
    void exports;
    const worker = (await import("../../src/index")).default;
    const res = await worker.fetch!(
      new Request("https://escra.test/api/v1/dev/payments/esc-x/succeed", { method: "POST" }) as any,
      { ...env, ENVIRONMENT: "production" } as any,
      { waitUntil() {}, passThroughOnException() {}, props: {} } as any,
    );
    expect(res.status).toBe(404);
  });
});

describe("POST /webhooks/paystack: transfers and refunds", () => {
  const signed = (event: string, data: Record<string, unknown>) => {
    const body = JSON.stringify({ event, data: { id: `${event}-${Math.random()}`, ...data } });
    return webhook(body, paystackSignature(env.PAYSTACK_SECRET_KEY, body));
  };

  it("transfer.success / transfer.reversed update the payout of a completed escrow; not of another", async () => {
    const { escrowRoom } = await import("../../durable-objects/escrow-room");
    const { payoutReference } = await import("../../src/lib/payments/provider");
    const { sealRecord } = await import("../../src/lib/vault");
    const { markContractSigned, waitFor } = await import("./helpers");
    const e = await openEscrow(buyer, seller);
    const reference = payoutReference(e.id);
    expect((await signed("transfer.success", { reference })).body.data.outcome).toBe("ignored"); // not completed yet
    await fundEscrow(buyer, e.id);
    await markContractSigned(e.id);
    const room = escrowRoom(env, e.id);
    await room.deliver({ userId: seller.user.id, isAdmin: false }, sealRecord(env.VAULT_KEK, e.id, "{}"));
    await room.reveal({ userId: buyer.user.id, isAdmin: false });
    await room.confirm({ userId: buyer.user.id, isAdmin: false });
    await waitFor(async () => ((await room.get())!.payout.status === "sent" ? true : null), "payout sent");
    const reversed = await signed("transfer.reversed", { reference, reason: "bank account closed" });
    expect(reversed.body.data.outcome).toBe("payout_reversed");
    expect((await room.get())!.payout).toMatchObject({ status: "reversed", lastError: "bank account closed" });
    const types = (await room.auditTrail()).map((ev) => ev.type);
    expect(types).toContain("escrow.payout_failed");

    // Issue 20 kind 4: a late transfer.success for the reversed transfer is recorded, not applied.
    const late = await signed("transfer.success", { reference });
    expect(late.status).toBe(200);
    expect(late.body.data.outcome).toBe("ignored");
    expect((await room.get())!.payout.status).toBe("reversed");
    const trail = await room.auditTrail();
    expect(trail.filter((ev) => ev.type === "escrow.payout_sent")).toHaveLength(1);
    expect(trail.at(-1)).toMatchObject({
      type: "escrow.provider_event_not_applied",
      data: { event: "transfer.success", reference },
    });
    // The seller is asked to fix the payout account, and is not told the money was sent a second time.
    const { waitForEmail } = await import("../helpers/mailbox");
    await waitForEmail({ to: seller.email, subject: /update your payout account/i });
    const sentNotices = await env.DB.prepare(
      "SELECT count(*) AS n FROM notifications WHERE user_id = ? AND type = 'escrow.payout_sent' AND subject_id = ?",
    )
      .bind(seller.user.id, e.id)
      .first<{ n: number }>();
    expect(sentNotices!.n).toBeLessThanOrEqual(1);
    // Listed for admins as a payout that needs a follow-up.
    const { createUser } = await import("../helpers/users");
    const admin = await createUser({ role: "admin" });
    await (await import("./helpers")).waitFor(async () => {
      const list = await call("GET", "/api/v1/escrows?payoutStatus=failed,reversed", { token: admin.accessToken });
      return list.body.data.some((x: any) => x.id === e.id);
    }, "listed as a failed payout");
    const bad = await call("GET", "/api/v1/escrows?payoutStatus=lost", { token: admin.accessToken });
    expect(bad.body.error.code).toBe("VAL001");
  });

  it("refund.processed settles a refunded escrow's payment; on a live escrow it is ignored", async () => {
    const { escrowRoom } = await import("../../durable-objects/escrow-room");
    const e = await openEscrow(buyer, seller);
    const reference = await fundEscrow(buyer, e.id);
    expect((await signed("refund.processed", { transaction_reference: reference })).body.data.outcome).toBe("ignored");
    expect((await escrowRoom(env, e.id).get())!.status).toBe("funds_held");
  });
});

// Issue 12 kinds 1, 2 and 4 as a client and an operator see them: no payment is silently dropped (a charge funds
// its escrow or is refunded and listed), a pending escrow always has a way out (cancel, expiry, a cap on unfunded
// escrows), an escrow binds only a contract between its own parties, and a webhook during a D1 outage is
// neither lost nor applied twice.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { paystackSignature } from "../../src/lib/payments/signature";
import { chargeReference } from "../../src/lib/payments/provider";
import { TestPaymentProvider } from "../../src/lib/payments/test-provider";
import { newId } from "../../src/lib/ids";
import { splitAmount } from "../../src/domain/money";
import { openEscrow as openEscrowService } from "../../src/services/escrows/open-escrow";
import { escrowRoom } from "../../durable-objects/escrow-room";
import type { Principal } from "../../src/env";
import { openEscrow, parties, waitFor } from "./helpers";

let buyer: TestUser, seller: TestUser, outsider: TestUser, admin: TestUser;
beforeAll(async () => {
  ({ buyer, seller, outsider } = await parties());
  admin = await createUser({ role: "admin" });
});

const post = (path: string, who: TestUser | null, body?: unknown) =>
  call("POST", `/api/v1${path}`, {
    ...(who ? { token: who.accessToken } : {}),
    ...(body !== undefined ? { body } : {}),
  });
const chargeBody = (reference: string, amount: number, currency = "NGN") =>
  JSON.stringify({
    event: "charge.success",
    data: { id: Math.floor(Math.random() * 1e12), status: "success", reference, amount, currency },
  });
const signedWebhook = (body: string) =>
  call("POST", "/api/v1/webhooks/paystack", {
    raw: body,
    headers: {
      "content-type": "application/json",
      "x-paystack-signature": paystackSignature(env.PAYSTACK_SECRET_KEY, body),
    },
  });
const trailTypes = async (id: string) => (await escrowRoom(env, id).auditTrail()).map((e) => e.type);
const unmatchedRow = (reference: string) =>
  env.DB.prepare("SELECT id, state, reason, amount, escrow_id FROM unmatched_payments WHERE reference = ?")
    .bind(reference)
    .first<any>();

/** A second payable reference for the escrow, as a checkout issued earlier (or by a racing tab) would have left. */
async function issueAnotherReference(escrowId: string, amount: number, currency = "NGN") {
  const reference = chargeReference(escrowId);
  await new TestPaymentProvider(env).initialize({
    reference,
    email: buyer.email,
    amount,
    currency,
    metadata: { escrowId },
  });
  return reference;
}

describe("no payment is silently dropped (issue 12 kind 1)", () => {
  it("retrying checkout reuses the open reference", async () => {
    const e = await openEscrow(buyer, seller);
    const first = await post(`/escrows/${e.id}/fund`, buyer);
    const second = await post(`/escrows/${e.id}/fund`, buyer);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.data.payment).toEqual(first.body.data.payment);
  });

  it("the example: two references, the buyer pays the first → funded; a charge on the other is refunded and listed", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    const firstRef = fund.body.data.payment.reference as string;
    // A second checkout under another reference (e.g. after the first was no longer offered).
    const secondRef = await issueAnotherReference(e.id, e.amount);
    expect(
      (await escrowRoom(env, e.id).startPayment({ userId: buyer.user.id, isAdmin: false }, "test", secondRef)).ok,
    ).toBe(true);

    const paidFirst = await post(`/dev/payments/${firstRef}/succeed`, null);
    expect(paidFirst.body.data.outcome).toBe("funded");
    const got = await call("GET", `/api/v1/escrows/${e.id}`, { token: buyer.accessToken });
    expect(got.body.data).toMatchObject({
      status: "funds_held",
      payment: { reference: firstRef, status: "succeeded" },
    });

    const paidSecond = await post(`/dev/payments/${secondRef}/succeed`, null);
    expect(paidSecond.body.data.outcome).toBe("unmatched");
    const row = await waitFor(async () => {
      const r = await unmatchedRow(secondRef);
      return r?.state === "refunded" ? r : null;
    }, "the duplicate charge refunded");
    expect(row).toMatchObject({ reason: "already_funded", amount: e.amount, escrow_id: e.id });
    expect((await new TestPaymentProvider(env).charge(secondRef))!.status).toBe("refunded");
    expect((await new TestPaymentProvider(env).charge(firstRef))!.status).toBe("success");
    const types = await trailTypes(e.id);
    expect(types.filter((t) => t === "escrow.funded")).toHaveLength(1);
    expect(types).toContain("escrow.payment_unmatched");
    expect(types).toContain("escrow.payment_refunded");

    const list = await call("GET", "/api/v1/admin/payments/unmatched", { token: admin.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.data.find((p: any) => p.reference === secondRef)).toMatchObject({
      id: row.id,
      state: "refunded",
      amount: e.amount,
      currency: "NGN",
      escrowId: e.id,
      reason: "already_funded",
    });
  });

  it("a charge for a cancelled escrow is refunded; the escrow stays cancelled", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    expect((await post(`/escrows/${e.id}/cancel`, buyer, {})).status).toBe(200);
    const paid = await post(`/dev/payments/${fund.body.data.payment.reference}/succeed`, null);
    expect(paid.body.data.outcome).toBe("unmatched");
    await waitFor(async () => (await unmatchedRow(fund.body.data.payment.reference))?.state === "refunded", "refund");
    expect((await escrowRoom(env, e.id).get())!.status).toBe("cancelled");
    expect((await unmatchedRow(fund.body.data.payment.reference)).reason).toBe("escrow_cancelled");
  });

  it("admins list unmatched payments (others AUTH003) and retry a refund the provider refused", async () => {
    const e = await openEscrow(buyer, seller);
    await post(`/escrows/${e.id}/fund`, buyer);
    await post(`/escrows/${e.id}/cancel`, buyer, { reason: "changed my mind" });
    // A charge the test bank does not know: its automatic refund is refused (refund_failed).
    const reference = chargeReference(e.id);
    expect((await signedWebhook(chargeBody(reference, e.amount))).body.data.outcome).toBe("unmatched");
    const failed = await waitFor(async () => {
      const r = await unmatchedRow(reference);
      return r?.state === "refund_failed" ? r : null;
    }, "refund_failed");

    const byUser = await call("GET", "/api/v1/admin/payments/unmatched", { token: buyer.accessToken });
    expect(byUser.status).toBe(403);
    expect(byUser.body.error.code).toBe("AUTH003");
    const badState = await call("GET", "/api/v1/admin/payments/unmatched?state=nope", { token: admin.accessToken });
    expect(badState.body.error.code).toBe("VAL001");
    const onlyFailed = await call("GET", "/api/v1/admin/payments/unmatched?state=refund_failed", {
      token: admin.accessToken,
    });
    expect(onlyFailed.body.data.map((p: any) => p.id)).toContain(failed.id);

    expect((await post(`/admin/payments/${failed.id}/refund`, buyer, {})).body.error.code).toBe("AUTH003");
    expect((await post("/admin/payments/pay_x/refund", admin, {})).body.error.code).toBe("VAL001");
    const unknown = await post(`/admin/payments/${newId("pay")}/refund`, admin, {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("RES001");

    // Still refused by the provider: 402 PAY001 with the reason, stays refund_failed.
    const refused = await post(`/admin/payments/${failed.id}/refund`, admin, { reason: "retry" });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("PAY001");
    // The provider knows the charge now: the retry refunds it.
    await new TestPaymentProvider(env).initialize({
      reference,
      email: buyer.email,
      amount: e.amount,
      currency: "NGN",
      metadata: {},
    });
    const retried = await post(`/admin/payments/${failed.id}/refund`, admin, {});
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ id: failed.id, state: "refunded", reference, escrowId: e.id });
    const again = await post(`/admin/payments/${failed.id}/refund`, admin, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RES002");
  });
});

describe("a pending escrow always has a way out (issue 12 kind 2)", () => {
  it("the buyer cancels a pending escrow: cancelled, audited and emitted with the reason", async () => {
    const e = await openEscrow(buyer, seller);
    const res = await post(`/escrows/${e.id}/cancel`, buyer, { reason: "found it cheaper" });
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe("cancelled");
    const trail = await escrowRoom(env, e.id).auditTrail();
    expect(trail.at(-1)).toMatchObject({
      type: "escrow.cancelled",
      actorId: buyer.user.id,
      data: { reason: "found it cheaper", status: "cancelled" },
    });
    await waitFor(
      async () =>
        (await env.DB.prepare("SELECT status FROM escrows WHERE id = ?").bind(e.id).first<any>())?.status ===
        "cancelled",
      "projection",
    );
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM escrow_holds WHERE escrow_id = ?").bind(e.id).first<any>(),
    ).toEqual({ n: 0 });
    const again = await post(`/escrows/${e.id}/cancel`, buyer, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RES002");
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    expect(fund.status).toBe(409);
    // Its generated sale contract is withdrawn: the seller is no longer asked to sign for a deal that ended.
    const contractStatus = async () =>
      (await call("GET", `/api/v1/contracts/${e.contractId}`, { token: seller.accessToken })).body.data?.status;
    await waitFor(async () => (await contractStatus()) === "cancelled", "generated contract cancelled");
    const signAttempt = await post(`/contracts/${e.contractId}/sign`, seller, {
      signature: { type: "typed", value: "S" },
      consent: true,
    });
    expect(signAttempt.status).toBe(409);
  });

  it("a reserved listing returns to the catalog when its escrow is cancelled", async () => {
    const draft = {
      title: "Domain shop.ng",
      description: "Registered 2019",
      category: "domains",
      price: { amount: 75_000, currency: "NGN" },
    };
    const listingId = (await post("/listings", seller, draft)).body.data.id as string;
    expect((await post(`/listings/${listingId}/submit`, seller)).status).toBe(200);
    expect((await post(`/admin/listings/${listingId}/approve`, admin, {})).status).toBe(200);
    const opened = await post("/escrows", buyer, { listingId, description: "buying the domain" });
    expect(opened.status).toBe(201);
    const listingStatus = async () => (await call("GET", `/api/v1/catalog/${listingId}`)).status;
    expect(await listingStatus()).toBe(404); // reserved: out of the catalog
    expect((await post(`/escrows/${opened.body.data.id}/cancel`, buyer, {})).status).toBe(200);
    await waitFor(async () => (await listingStatus()) === 200, "the listing back in the catalog", 25_000);
  });

  it("an admin may cancel; the seller may not (AUTH003), an outsider learns nothing (RES001), bad input is VAL001", async () => {
    const e = await openEscrow(buyer, seller);
    expect((await post(`/escrows/${e.id}/cancel`, seller, {})).body.error.code).toBe("AUTH003");
    expect((await post(`/escrows/${e.id}/cancel`, outsider, {})).status).toBe(404);
    expect((await post(`/escrows/esc_bad/cancel`, buyer, {})).body.error.code).toBe("VAL001");
    expect((await post(`/escrows/${e.id}/cancel`, buyer, { reason: "x".repeat(2001) })).body.error.code).toBe("VAL001");
    const byAdmin = await post(`/escrows/${e.id}/cancel`, admin, {});
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data.status).toBe("cancelled");
  });

  it("a funded escrow cannot be cancelled (RES002)", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    await post(`/dev/payments/${fund.body.data.payment.reference}/succeed`, null);
    const res = await post(`/escrows/${e.id}/cancel`, buyer, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
  });

  it("an unfunded escrow expires by its room's alarm, and a command after the deadline meets it expired", async () => {
    const make = async () => {
      const id = newId("esc");
      const created = await escrowRoom(env, id).create({
        id,
        buyerId: buyer.user.id,
        sellerId: seller.user.id,
        listingId: null,
        contractId: null,
        currency: "NGN",
        split: splitAmount(10_000, 250),
        description: "short reservation",
        inspectionPeriodHours: 1,
        provider: "test",
        reservationMinutes: 0.002, // 120 ms
      });
      expect(created.ok).toBe(true);
      return id;
    };
    const [byAlarm, byCommand] = [await make(), await make()];
    await new Promise((r) => setTimeout(r, 200));

    await runDurableObjectAlarm(env.ESCROW_ROOM.get(env.ESCROW_ROOM.idFromName(byAlarm)));
    expect(await escrowRoom(env, byAlarm).get()).toMatchObject({ status: "expired" });
    expect((await trailTypes(byAlarm)).at(-1)).toBe("escrow.expired");

    const fund = await post(`/escrows/${byCommand}/fund`, buyer);
    expect(fund.status).toBe(409);
    expect(fund.body.error.code).toBe("RES002");
    expect((await escrowRoom(env, byCommand).get())!.status).toBe("expired");
    // A charge that arrives after the expiry is refunded, not lost.
    const late = await signedWebhook(chargeBody(chargeReference(byCommand), 10_000));
    expect(late.body.data.outcome).toBe("unmatched");
    expect((await escrowRoom(env, byCommand).get())!.charges[0]).toMatchObject({ reason: "escrow_expired" });
  });

  // Skipped: on the merged tree this test hangs (90 s) although it passed on its branch; the cap itself is one
  // conditional INSERT (services/escrows/open-escrow.ts). See the stop-22 closing note: to investigate first.
  it("a buyer holds at most ESCROW_MAX_UNFUNDED unfunded escrows, enforced atomically under concurrent opens", async () => {
    const greedy = await createUser({ name: "Greedy Buyer" });
    const principal: Principal = {
      userId: greedy.user.id,
      role: "user",
      sessionId: null,
      scopes: null,
      apiKeyId: null,
    };
    const capped = { ...env, ESCROW_MAX_UNFUNDED: "3" };
    const input = {
      sellerEmail: seller.email,
      amount: 1_000,
      currency: "NGN" as const,
      description: "reserve",
      inspectionPeriodHours: 24,
    };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => openEscrowService(capped, principal, input)),
    );
    const opened = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(opened).toHaveLength(3);
    expect(refused.map((r) => r.reason.code)).toEqual(["RES002", "RES002"]);
    expect(refused[0]!.reason.message).toMatch(/3 unfunded escrows/);
    // Cancelling one frees a hold.
    const first = (opened[0] as PromiseFulfilledResult<{ id: string }>).value;
    expect((await post(`/escrows/${first.id}/cancel`, greedy, {})).status).toBe(200);
    await waitFor(
      async () =>
        (
          await env.DB.prepare("SELECT count(*) AS n FROM escrow_holds WHERE buyer_id = ?")
            .bind(greedy.user.id)
            .first<any>()
        )?.n === 2,
      "hold freed",
    );
    expect((await openEscrowService(capped, principal, input)).status).toBe("pending");
  }, 90_000);
});

describe("an escrow binds only a contract between its own parties (issue 12 kind 4)", () => {
  const contractBetween = async (owner: TestUser, emails: string[]) => {
    const res = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: {
        title: "Sale",
        type: "sale",
        body: "Terms.",
        signers: emails.map((email, i) => ({ email, name: `P${i}`, role: "signer", order: 1 })),
      },
    });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };
  const openWith = (contractId: string) =>
    post("/escrows", buyer, {
      sellerEmail: seller.email,
      amount: 5_000,
      currency: "NGN",
      description: "bound",
      contractId,
    });

  it("the example: a contract signed by the buyer and a friend is refused with 409 and a clear message", async () => {
    const friend = await createUser({ name: "Friend" });
    const res = await openWith(await contractBetween(buyer, [buyer.email, friend.email]));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
    expect(res.body.error.message).toMatch(/signers must include .*seller/);
  });

  it("a contract between both parties binds one escrow only; the generated contract of another escrow is refused", async () => {
    const contractId = await contractBetween(buyer, [seller.email, buyer.email]);
    expect((await openWith(contractId)).status).toBe(201);
    const second = await openWith(contractId);
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/already bound/);
    const other = await openEscrow(buyer, seller);
    expect((await openWith(other.contractId)).status).toBe(409);
  });
});

describe("a charge under a reference of ours whose escrow does not exist is refunded as an unmatched payment", () => {
  it("is recorded (unknown_reference), refunded, listed for admins, and a replay changes nothing", async () => {
    const provider = new TestPaymentProvider(env);
    // Shaped like ours (esc-…) for an escrow that does not exist. A foreign reference is left alone (payments.test.ts).
    for (const reference of [chargeReference(newId("esc"))]) {
      await provider.initialize({
        reference,
        email: "payer@example.com",
        amount: 7_500,
        currency: "NGN",
        metadata: {},
      });
      const body = chargeBody(reference, 7_500);
      const res = await signedWebhook(body);
      expect(res.status).toBe(200);
      expect(res.body.data.outcome).toBe("unmatched");
      const row = await waitFor(async () => {
        const r = await unmatchedRow(reference);
        return r?.state === "refunded" ? r : null;
      }, "unknown-reference charge refunded");
      expect(row).toMatchObject({ reason: "unknown_reference", amount: 7_500, escrow_id: null });
      expect((await provider.charge(reference))!.status).toBe("refunded");
      expect((await signedWebhook(body)).body.data.outcome).toBe("replay");

      const listed = await call("GET", "/api/v1/admin/payments/unmatched?state=refunded&perPage=100", {
        token: admin.accessToken,
      });
      expect(listed.body.data).toContainEqual(
        expect.objectContaining({ id: row.id, reference, escrowId: null, reason: "unknown_reference" }),
      );
      const again = await post(`/admin/payments/${row.id}/refund`, admin, {});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe("RES002");
    }
  });

  it("a refused refund stays listed as refund_failed; an admin's retry refunds it once the provider agrees", async () => {
    const reference = chargeReference(newId("esc"));
    // The provider does not know this charge yet: its automatic refund is refused.
    expect((await signedWebhook(chargeBody(reference, 3_000))).body.data.outcome).toBe("unmatched");
    const failed = await waitFor(async () => {
      const r = await unmatchedRow(reference);
      return r?.state === "refund_failed" ? r : null;
    }, "refund_failed");
    const refused = await post(`/admin/payments/${failed.id}/refund`, admin, {});
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("PAY001");
    await new TestPaymentProvider(env).initialize({
      reference,
      email: "payer@example.com",
      amount: 3_000,
      currency: "NGN",
      metadata: {},
    });
    const retried = await post(`/admin/payments/${failed.id}/refund`, admin, {});
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ id: failed.id, state: "refunded", reference, escrowId: null });
  });
});

describe("fault: the payment webhook arrives while D1 is failing (issue 12 done-when)", () => {
  /** The real D1, failing every statement whose SQL matches `failing` while `down.on` (an outage seen by the Worker). */
  function flakyD1(real: D1Database, failing: RegExp, down: { on: boolean }): D1Database {
    const broken = (sql: string) => down.on && failing.test(sql);
    const outage = () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
    const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement =>
      new Proxy(stmt, {
        get(target, prop) {
          if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
          if (["run", "all", "first", "raw"].includes(String(prop)) && broken(sql)) return outage;
          const v = Reflect.get(target, prop);
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
    return new Proxy(real, {
      get(target, prop) {
        if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
        if (prop === "batch")
          return (stmts: D1PreparedStatement[]) => (down.on && failing.test("batch") ? outage() : target.batch(stmts));
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }

  async function deliverWith(db: D1Database, body: string) {
    const worker = (await import("../../src/index")).default;
    const req = new Request("https://escra.test/api/v1/webhooks/paystack", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-paystack-signature": paystackSignature(env.PAYSTACK_SECRET_KEY, body),
      },
      body,
    });
    return worker.fetch!(
      req as any,
      { ...env, DB: db } as any,
      { waitUntil() {}, passThroughOnException() {}, props: {} } as any,
    );
  }

  it("D1 down on arrival: the webhook answers non-2xx (Paystack retries); after recovery the retry funds once", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    const body = chargeBody(fund.body.data.payment.reference, e.amount);
    const down = { on: true };
    const res = await deliverWith(flakyD1(env.DB, /.*/, down), body);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect((await escrowRoom(env, e.id).get())!.status).toBe("pending");

    down.on = false; // D1 is back; Paystack retries the same event
    const retried = await deliverWith(flakyD1(env.DB, /.*/, down), body);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as any).data.outcome).toBe("funded");
    const replay = await signedWebhook(body);
    expect(replay.body.data.outcome).toBe("replay");
    expect((await trailTypes(e.id)).filter((t) => t === "escrow.funded")).toHaveLength(1);
  });

  it("D1 down: the answer is 503 SYS002 with Retry-After (a dependency is unavailable), never 500", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    const body = chargeBody(fund.body.data.payment.reference, e.amount);
    for (const failing of [/.*/, /^update "payment_events"/i]) {
      const down = { on: true };
      const res = await deliverWith(flakyD1(env.DB, failing, down), body);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await res.json()) as any).error.code).toBe("SYS002");
    }
    const retried = await signedWebhook(body);
    expect(retried.body.data.outcome).toBe("funded");
  });

  it("D1 fails after the room applied the charge: non-2xx, and the retry answers funded without funding twice", async () => {
    const e = await openEscrow(buyer, seller);
    const fund = await post(`/escrows/${e.id}/fund`, buyer);
    const body = chargeBody(fund.body.data.payment.reference, e.amount);
    const down = { on: true };
    const res = await deliverWith(flakyD1(env.DB, /^update "payment_events"/i, down), body);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect((await escrowRoom(env, e.id).get())!.status).toBe("funds_held");
    const stored = await env.DB.prepare("SELECT outcome FROM payment_events WHERE reference = ?")
      .bind(fund.body.data.payment.reference)
      .first<any>();
    expect(stored.outcome).toBe("processing");

    down.on = false;
    const retried = await signedWebhook(body);
    expect(retried.status).toBe(200);
    expect(retried.body.data.outcome).toBe("funded");
    expect((await trailTypes(e.id)).filter((t) => t === "escrow.funded")).toHaveLength(1);
    const after = await env.DB.prepare("SELECT outcome FROM payment_events WHERE reference = ?")
      .bind(fund.body.data.payment.reference)
      .first<any>();
    expect(after.outcome).toBe("funded");
  });
});

// PUT/GET/DELETE /users/me/payout-account and the payout job waiting for it. The test provider answers through
// the API; Paystack is replaced only at its HTTP boundary (an injected fetch answering like its documented API).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { payoutAccountEmailId, PAYOUT_ACCOUNT_WAIT_SECONDS, payoutJob } from "../../src/jobs/escrow-payout";
import { RetryLater } from "../../src/jobs/types";
import { PaystackProvider } from "../../src/lib/payments/paystack";
import { payoutReference, ProviderError } from "../../src/lib/payments/provider";
import { setPayoutAccount } from "../../src/db/payout-accounts";
import { db } from "../../src/db/client";
import { sealRecord } from "../../src/lib/vault";
import { splitAmount } from "../../src/domain/money";
import { newId } from "../../src/lib/ids";
import { queueMessage } from "../../src/lib/queue-messages";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";

const ACCOUNT = { name: "Ada Seller", accountNumber: "0123456789", bankCode: "058", currency: "NGN" };
const PATH = "/api/v1/users/me/payout-account";

const rawUser = (id: string) =>
  env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();

/** Paystack at its HTTP boundary: records every call, creates recipients and takes each transfer reference once. */
function fakePaystack(options: { failRecipient?: boolean } = {}) {
  const calls: { method: string; path: string; auth: string | null; body: any }[] = [];
  const transfers: { reference: string; amount: number; recipient: string }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input)).pathname;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: init?.method ?? "GET", path, auth: new Headers(init?.headers).get("authorization"), body });
    const json = (status: number, payload: unknown) =>
      new Response(JSON.stringify(payload), { status, headers: { "content-type": "application/json" } });
    if (path === "/transferrecipient") {
      if (options.failRecipient) return json(422, { status: false, message: "Could not resolve account name" });
      return json(201, {
        status: true,
        message: "Transfer recipient created successfully",
        data: { recipient_code: "RCP_paystack_1", type: "nuban" },
      });
    }
    if (path === "/transfer") {
      if (transfers.some((t) => t.reference === body.reference))
        return json(400, { status: false, message: "Duplicate Transfer Reference" });
      transfers.push({ reference: body.reference, amount: body.amount, recipient: body.recipient });
      return json(200, {
        status: true,
        message: "Transfer has been queued",
        data: { status: "success", reference: body.reference, transfer_code: "TRF_1" },
      });
    }
    return json(404, { status: false, message: "not found" });
  }) as typeof fetch;
  return {
    calls,
    transfers,
    provider: new PaystackProvider({ baseUrl: "https://paystack.fake", secretKey: "sk_test_payout", fetch: fetcher }),
  };
}

describe("PUT/GET/DELETE /users/me/payout-account", () => {
  it("stores the test provider's recipient and only bank code, last 4 and name; GET, export and DELETE follow", async () => {
    const { user, accessToken: token } = await createUser();
    const put = await call("PUT", PATH, { token, body: ACCOUNT });
    expect(put.status).toBe(200);
    expect(put.body.data.payoutAccount).toEqual({
      name: "Ada Seller",
      bankCode: "058",
      last4: "6789",
      currency: "NGN",
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(put.body)).not.toContain("0123456789");
    expect(JSON.stringify(put.body)).not.toContain("RCP_");

    const row = (await rawUser(user.id))!;
    expect(row.payout_recipient_code).toMatch(/^RCP_test_/);
    expect(row).toMatchObject({
      payout_provider: "test",
      payout_bank_code: "058",
      payout_account_last4: "6789",
      payout_account_name: "Ada Seller",
    });
    expect(JSON.stringify(row)).not.toContain("0123456789");

    const get = await call("GET", PATH, { token });
    expect(get.status).toBe(200);
    expect(get.body.data.payoutAccount).toEqual(put.body.data.payoutAccount);

    const exported = await call("GET", "/api/v1/users/me/export", { token });
    expect(exported.body.data.payoutAccount).toEqual(put.body.data.payoutAccount);

    const del = await call("DELETE", PATH, { token });
    expect(del.status).toBe(200);
    expect((await call("GET", PATH, { token })).body.error.code).toBe("RES001");
    expect((await call("DELETE", PATH, { token })).status).toBe(404);
    expect((await rawUser(user.id))!.payout_recipient_code).toBeNull();
  });

  it("refuses invalid input with VAL001 and stores nothing", async () => {
    const { user, accessToken: token } = await createUser();
    for (const body of [
      { ...ACCOUNT, accountNumber: "12345" },
      { ...ACCOUNT, accountNumber: "01234567890" },
      { ...ACCOUNT, currency: "USD" },
      { ...ACCOUNT, type: "basa" },
      { ...ACCOUNT, name: " " },
      { ...ACCOUNT, bankCode: "x58" },
      { ...ACCOUNT, extra: 1 },
      { name: "Ada", accountNumber: "0123456789", currency: "NGN" },
    ]) {
      const res = await call("PUT", PATH, { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
    }
    expect((await rawUser(user.id))!.payout_recipient_code).toBeNull();
  });

  it("refuses anonymous callers and viewers", async () => {
    expect((await call("PUT", PATH, { body: ACCOUNT })).body.error.code).toBe("AUTH004");
    expect((await call("GET", PATH)).body.error.code).toBe("AUTH004");
    expect((await call("DELETE", PATH)).body.error.code).toBe("AUTH004");
    const viewer = await createUser({ role: "viewer" });
    const res = await call("PUT", PATH, { token: viewer.accessToken, body: ACCOUNT });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AUTH003");
    expect((await rawUser(viewer.user.id))!.payout_recipient_code).toBeNull();
  });

  it("Paystack unreachable: 502 PROC001 and the account on file is unchanged", async () => {
    const { user, accessToken: token } = await createUser();
    expect((await call("PUT", PATH, { token, body: ACCOUNT })).status).toBe(200);
    const before = await rawUser(user.id);
    // This deployment's configuration with Paystack at an address where nothing listens.
    const paystackEnv = { ...env, PAYMENT_PROVIDER: "paystack", PAYSTACK_BASE_URL: "http://127.0.0.1:9" };
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`https://escra.test${PATH}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ ...ACCOUNT, accountNumber: "9999999999" }),
      }),
      paystackEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("PROC001");
    expect(body.error.message).not.toMatch(/127\.0\.0\.1|Paystack/);
    expect(await rawUser(user.id)).toEqual(before);
  });

  it("erasing the account (DELETE /users/me) erases the payout account", async () => {
    const { user, accessToken: token, password } = await createUser();
    expect((await call("PUT", PATH, { token, body: ACCOUNT })).status).toBe(200);
    expect((await call("DELETE", "/api/v1/users/me", { token, body: { password } })).status).toBe(200);
    const row = (await rawUser(user.id))!;
    for (const column of [
      "payout_recipient_code",
      "payout_provider",
      "payout_bank_code",
      "payout_account_last4",
      "payout_account_name",
      "payout_currency",
    ]) {
      expect(row[column], column).toBeNull();
    }
  });
});

describe("Paystack transfer recipients", () => {
  it("creates the recipient with the documented body and the Bearer secret, storing only its code", async () => {
    const { user } = await createUser();
    const paystack = fakePaystack();
    await setPayoutAccount(db(env.DB), paystack.provider, user.id, { type: "nuban", ...ACCOUNT, currency: "NGN" });
    expect(paystack.calls).toEqual([
      {
        method: "POST",
        path: "/transferrecipient",
        auth: "Bearer sk_test_payout",
        body: { type: "nuban", name: "Ada Seller", account_number: "0123456789", bank_code: "058", currency: "NGN" },
      },
    ]);
    const row = (await rawUser(user.id))!;
    expect(row).toMatchObject({
      payout_recipient_code: "RCP_paystack_1",
      payout_provider: "paystack",
      payout_account_last4: "6789",
    });
    expect(JSON.stringify(row)).not.toContain("0123456789");
  });

  it("a refused recipient changes nothing: the previous account stays", async () => {
    const { user } = await createUser();
    await setPayoutAccount(db(env.DB), fakePaystack().provider, user.id, {
      type: "nuban",
      ...ACCOUNT,
      currency: "NGN",
    });
    const before = await rawUser(user.id);
    const failing = fakePaystack({ failRecipient: true });
    await expect(
      setPayoutAccount(db(env.DB), failing.provider, user.id, {
        type: "nuban",
        ...ACCOUNT,
        accountNumber: "9999999999",
        currency: "NGN",
      }),
    ).rejects.toBeInstanceOf(ProviderError);
    expect(await rawUser(user.id)).toEqual(before);
  });
});

describe("escrow.payout without a payout account", () => {
  async function completedPaystackEscrow(sellerId: string) {
    const id = newId("esc");
    const buyer = { userId: newId("usr"), isAdmin: false };
    const seller = { userId: sellerId, isAdmin: false };
    const room = escrowRoom(env, id);
    const must = <T>(r: { ok: boolean; value?: T; error?: unknown }) => {
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value as T;
    };
    must(
      await room.create({
        id,
        buyerId: buyer.userId,
        sellerId,
        listingId: null,
        contractId: null,
        currency: "NGN",
        split: splitAmount(200_000, 250),
        description: "d",
        inspectionPeriodHours: 1,
        provider: "paystack",
      }),
    );
    must(await room.startPayment(buyer, "paystack", "ref-pa-1"));
    must(await room.paymentReceived({ reference: "ref-pa-1", amount: 200_000, currency: "NGN" }));
    must(await room.contractActivated());
    must(await room.deliver(seller, sealRecord(env.VAULT_KEK, id, "{}")));
    must(await room.reveal(buyer));
    must(await room.confirm(buyer));
    return { id, room };
  }

  it("waits (long RetryLater, one email to the seller), then pays the stored recipient once it exists", async () => {
    const seller = await createUser();
    const { id, room } = await completedPaystackEscrow(seller.user.id);
    const paystack = fakePaystack();
    const job = payoutJob({ providerFor: () => paystack.provider });
    const run = (lastAttempt = false) =>
      job(queueMessage("jobs", "escrow.payout", `payout:${id}`, { escrowId: id }), env, {
        attempts: 1,
        lastAttempt,
        queue: "escra-jobs",
      });

    for (let i = 0; i < 2; i++) {
      const err = await run().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RetryLater);
      expect((err as RetryLater).delaySeconds).toBe(PAYOUT_ACCOUNT_WAIT_SECONDS);
    }
    // At the queue's last attempt it hands over to a fresh message instead of dead-lettering.
    await expect(run(true)).resolves.toBeUndefined();
    expect(paystack.transfers).toEqual([]);
    expect((await room.get())!.payout.status).not.toBe("sent");

    const emails = await env.DB.prepare(
      "SELECT id, \"to\", template FROM email_deliveries WHERE user_id = ? AND template = 'notice'",
    )
      .bind(seller.user.id)
      .all();
    expect(emails.results).toEqual([{ id: payoutAccountEmailId(id), to: seller.email, template: "notice" }]);
    expect((await waitForEmail({ to: seller.email, subject: "payout account" })).text).toContain(id);

    await setPayoutAccount(db(env.DB), paystack.provider, seller.user.id, {
      type: "nuban",
      ...ACCOUNT,
      currency: "NGN",
    });
    await run();
    await run(); // a redelivery: nothing more
    expect(paystack.transfers).toEqual([
      { reference: payoutReference(id), amount: 195_000, recipient: "RCP_paystack_1" },
    ]);
    expect((await room.get())!.payout).toMatchObject({ status: "sent", reference: payoutReference(id) });
  });

  it("a recipient made at another provider does not count", async () => {
    const seller = await createUser();
    expect((await call("PUT", PATH, { token: seller.accessToken, body: ACCOUNT })).status).toBe(200); // test provider
    const { id } = await completedPaystackEscrow(seller.user.id);
    const paystack = fakePaystack();
    const job = payoutJob({ providerFor: () => paystack.provider });
    await expect(
      job(queueMessage("jobs", "escrow.payout", `payout:${id}`, { escrowId: id }), env, {
        attempts: 1,
        lastAttempt: false,
        queue: "escra-jobs",
      }),
    ).rejects.toBeInstanceOf(RetryLater);
    expect(paystack.transfers).toEqual([]);
  });
});

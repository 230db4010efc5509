// Paystack replaced only at its HTTP boundary: an injected fetch that answers like the documented API.
import { describe, expect, it } from "vitest";
import { PaystackProvider } from "../../src/lib/payments/paystack";
import { ProviderError } from "../../src/lib/payments/provider";
import { chargeReference, escrowIdOfReference, payoutReference } from "../../src/lib/payments/provider";
import { paystackSignature, verifyPaystackSignature } from "../../src/lib/payments/signature";

function fakePaystack(answer: (method: string, path: string, body: any) => { status: number; json: unknown }) {
  const calls: { method: string; path: string; auth: string | null; body: any }[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    const method = init?.method ?? "GET";
    calls.push({ method, path: url.pathname, auth: new Headers(init?.headers).get("authorization"), body });
    const a = answer(method, url.pathname, body);
    return new Response(JSON.stringify(a.json), { status: a.status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  return {
    calls,
    provider: new PaystackProvider({ baseUrl: "https://paystack.fake/", secretKey: "sk_test_abc", fetch: fetcher }),
  };
}

describe("PaystackProvider", () => {
  it("initializes, verifies, refunds, creates recipients and transfers at the documented endpoints", async () => {
    const { calls, provider } = fakePaystack((method, path) => {
      if (path === "/transaction/initialize")
        return {
          status: 200,
          json: {
            status: true,
            message: "ok",
            data: { authorization_url: "https://checkout.paystack.com/x", access_code: "x", reference: "ref-1" },
          },
        };
      if (path === "/transaction/verify/ref-1")
        return {
          status: 200,
          json: {
            status: true,
            message: "ok",
            data: { status: "success", amount: 5000, currency: "NGN", reference: "ref-1" },
          },
        };
      if (path === "/refund")
        return { status: 200, json: { status: true, message: "ok", data: { status: "pending" } } };
      if (path === "/transferrecipient")
        return { status: 201, json: { status: true, message: "ok", data: { recipient_code: "RCP_1" } } };
      if (path === "/transfer")
        return {
          status: 200,
          json: { status: true, message: "ok", data: { status: "pending", transfer_code: "TRF_1", reference: "po-1" } },
        };
      return { status: 404, json: { status: false, message: `no ${method} ${path}` } };
    });
    expect(
      await provider.initialize({
        reference: "ref-1",
        email: "b@x.com",
        amount: 5000,
        currency: "NGN",
        metadata: { escrowId: "esc_1" },
      }),
    ).toEqual({
      authorizationUrl: "https://checkout.paystack.com/x",
      reference: "ref-1",
    });
    expect(await provider.verify("ref-1")).toEqual({
      reference: "ref-1",
      status: "success",
      amount: 5000,
      currency: "NGN",
    });
    expect(await provider.refund({ reference: "ref-1", amount: 5000 })).toEqual({ status: "pending" });
    expect(
      await provider.createRecipient({ name: "S", accountNumber: "0123456789", bankCode: "058", currency: "NGN" }),
    ).toEqual({ recipientCode: "RCP_1" });
    expect(
      await provider.transfer({ reference: "po-1", amount: 4875, currency: "NGN", recipient: "RCP_1", reason: "r" }),
    ).toEqual({
      reference: "po-1",
      status: "pending",
      transferCode: "TRF_1",
    });
    expect(calls.every((c) => c.auth === "Bearer sk_test_abc")).toBe(true);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /transaction/initialize",
      "GET /transaction/verify/ref-1",
      "POST /refund",
      "POST /transferrecipient",
      "POST /transfer",
    ]);
    expect(calls[0]!.body).toEqual({
      email: "b@x.com",
      amount: 5000,
      currency: "NGN",
      reference: "ref-1",
      metadata: { escrowId: "esc_1" },
    });
    expect(calls[2]!.body).toEqual({ transaction: "ref-1", amount: 5000 });
    expect(calls[4]!.body).toEqual({
      source: "balance",
      amount: 4875,
      currency: "NGN",
      recipient: "RCP_1",
      reference: "po-1",
      reason: "r",
    });
  });

  it("maps non-2xx, status:false and network failures to ProviderError", async () => {
    const { provider } = fakePaystack(() => ({
      status: 400,
      json: { status: false, message: "Duplicate Transfer Reference" },
    }));
    await expect(
      provider.transfer({ reference: "po-1", amount: 1, currency: "NGN", recipient: "R", reason: "r" }),
    ).rejects.toMatchObject({
      name: "ProviderError",
      httpStatus: 400,
    });
    const down = new PaystackProvider({
      baseUrl: "https://paystack.fake",
      secretKey: "k",
      fetch: (async () => {
        throw new TypeError("network");
      }) as typeof fetch,
    });
    await expect(down.verify("x")).rejects.toBeInstanceOf(ProviderError);
  });
});

describe("references and signatures", () => {
  it("charge and payout references name their escrow; payout references are lowercase and stable", () => {
    const id = "esc_AbCdEfGhIjKlMnOpQrSt";
    const charge = chargeReference(id);
    expect(charge).toMatch(/^[0-9A-Za-z.=-]+$/); // Paystack's allowed characters
    expect(escrowIdOfReference(charge)).toBe(id);
    expect(payoutReference(id)).toBe(payoutReference(id));
    expect(payoutReference(id)).toMatch(/^[0-9a-z_-]{16,50}$/);
    expect(escrowIdOfReference(payoutReference(id))).toBe(id);
    expect(escrowIdOfReference("ref-from-elsewhere")).toBeNull();
  });

  it("x-paystack-signature is hex HMAC-SHA512 of the raw body", () => {
    // RFC 4231 test case 2 (key "Jefe").
    expect(paystackSignature("Jefe", "what do ya want for nothing?")).toBe(
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    );
    const sig = paystackSignature("k", "{}");
    expect(verifyPaystackSignature("k", "{}", sig)).toBe(true);
    expect(verifyPaystackSignature("k", "{}", sig.toUpperCase())).toBe(true);
    expect(verifyPaystackSignature("k", "{ }", sig)).toBe(false);
    expect(verifyPaystackSignature("k", "{}", null)).toBe(false);
    expect(verifyPaystackSignature("k", "{}", "zz")).toBe(false);
  });
});

describe("Paystack's predictable refusals → stable codes with guidance (issue 20 kind 2)", () => {
  const refusing = (status: number, message: string) =>
    fakePaystack(() => ({ status, json: { status: false, message } })).provider;
  const refusalOf = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  };
  const init = { reference: "ref-1", email: "b@x.com", amount: 5000, currency: "NGN", metadata: {} };

  it("a checkout the provider refuses is PAY001 saying what to change; an outage is PROC001 'try again'", async () => {
    const { providerApiError } = await import("../../src/lib/payments/refusals");
    const cases: [number, string, string, RegExp][] = [
      [400, "Currency not supported by merchant", "PAY001", /currency/i],
      [400, "Invalid Email Address Passed", "PAY001", /email address/i],
      [400, "Invalid Amount Sent", "PAY001", /amount/i],
      [400, "Something new", "PAY001", /refused this payment: Something new/],
      [503, "Service unavailable", "PROC001", /try again/i],
      [401, "Invalid key", "PROC001", /operators/i],
    ];
    for (const [status, message, code, guidance] of cases) {
      const e = providerApiError("initialize", await refusalOf(refusing(status, message).initialize(init)));
      expect(e.code, message).toBe(code);
      expect(e.status).toBe(code === "PAY001" ? 402 : 502);
      expect(e.message).toMatch(guidance);
    }
    const unreachable = new PaystackProvider({
      baseUrl: "https://paystack.fake",
      secretKey: "k",
      fetch: (async () => {
        throw new TypeError("fetch failed");
      }) as typeof fetch,
    });
    expect(providerApiError("initialize", await refusalOf(unreachable.initialize(init))).code).toBe("PROC001");
  });

  it("refunds and transfers: already done, retry later, or the seller must fix the account", async () => {
    const { classifyRefusal } = await import("../../src/lib/payments/refusals");
    const refund = { reference: "ref-1", amount: 5000 };
    expect(
      classifyRefusal("refund", await refusalOf(refusing(400, "Transaction has been fully reversed").refund(refund)))
        .kind,
    ).toBe("done");
    expect(classifyRefusal("refund", await refusalOf(refusing(502, "Bad gateway").refund(refund))).kind).toBe("retry");
    const transfer = { reference: "po-1", amount: 1, currency: "NGN", recipient: "RCP_1", reason: "r" };
    expect(
      classifyRefusal("transfer", await refusalOf(refusing(400, "Duplicate Transfer Reference").transfer(transfer)))
        .kind,
    ).toBe("done");
    expect(
      classifyRefusal(
        "transfer",
        await refusalOf(refusing(400, "Your balance is not enough to fulfil this request").transfer(transfer)),
      ).kind,
    ).toBe("retry");
    const account = classifyRefusal("transfer", await refusalOf(refusing(400, "Invalid recipient").transfer(transfer)));
    expect(account).toMatchObject({ kind: "refused", code: "PAY001" });
    expect(account.message).toMatch(/payout-account/);
  });

  it("payout references: each new attempt after a failure gets a new one that still names its escrow", () => {
    const id = "esc_3xY9aBcDeFgHiJkLmNoP";
    expect(payoutReference(id, 0)).toBe(payoutReference(id));
    expect(payoutReference(id, 1)).toBe(`${payoutReference(id)}-1`);
    expect(escrowIdOfReference(payoutReference(id, 2))).toBe(id);
    expect(payoutReference(id, 2)).toMatch(/^[a-z0-9-]+$/);
  });
});

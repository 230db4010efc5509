import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { openEscrow, parties } from "./helpers";

let buyer: TestUser, seller: TestUser, outsider: TestUser, admin: TestUser;
beforeAll(async () => {
  ({ buyer, seller, outsider } = await parties());
  admin = await createUser({ role: "admin" });
});

/** How many escrows `who` is a party to, as their own list counts them. */
async function escrowCount(who: TestUser): Promise<number> {
  return (await call("GET", "/api/v1/escrows?perPage=1", { token: who.accessToken })).body.pagination.total;
}

/** Every escrow of a list `who` sees, page by page. */
async function everyEscrow(who: TestUser, query: string) {
  const rows: { id: string; buyerId: string; sellerId: string }[] = [];
  for (let page = 1; ; page++) {
    const res = await call("GET", `/api/v1/escrows?${query}&perPage=100&page=${page}`, { token: who.accessToken });
    expect(res.status).toBe(200);
    rows.push(...res.body.data);
    if (page >= res.body.pagination.totalPages) return rows;
  }
}

describe("POST /escrows", () => {
  it("a description the generated contract cannot show is VAL001 on `description`, leaving no contract behind", async () => {
    const [b, s] = [await createUser(), await createUser()];
    const before = await call("GET", "/api/v1/contracts", { token: b.accessToken });
    const res = await call("POST", "/api/v1/escrows", {
      token: b.accessToken,
      body: { sellerEmail: s.email, amount: 10_000, currency: "NGN", description: "Goods \uE000" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
    expect(res.body.error.details[0].path).toBe("description");
    const after = await call("GET", "/api/v1/contracts", { token: b.accessToken });
    expect(after.body.pagination.total).toBe(before.body.pagination.total);
    // A multi-line description is fine; the generated contract's title stays one line.
    const multi = await call("POST", "/api/v1/escrows", {
      token: b.accessToken,
      body: { sellerEmail: s.email, amount: 10_000, currency: "NGN", description: "Laptop\nwith charger" },
    });
    expect(multi.status).toBe(201);
    const contract = await call("GET", `/api/v1/contracts/${multi.body.data.contractId}`, { token: b.accessToken });
    expect(contract.body.data.title).not.toMatch(/[\r\n]/);
    // A title cut to length never splits a character in two (U+1F170, drawable, is two UTF-16 units).
    const long = await call("POST", "/api/v1/escrows", {
      token: b.accessToken,
      body: { sellerEmail: s.email, amount: 10_000, currency: "NGN", description: `${"a".repeat(179)}\u{1F170}` },
    });
    expect(long.status, JSON.stringify(long.body)).toBe(201);
    const longContract = await call("GET", `/api/v1/contracts/${long.body.data.contractId}`, { token: b.accessToken });
    expect(longContract.body.data.title).toBe(`Escrow: ${"a".repeat(179)}`);
    const cancelledLong = await call("POST", `/api/v1/escrows/${long.body.data.id}/cancel`, {
      token: b.accessToken,
      body: {},
    });
    expect(cancelledLong.status).toBe(200);
    // Not pending any more: later tests in this file count the pending escrows admins see.
    const cancelled = await call("POST", `/api/v1/escrows/${multi.body.data.id}/cancel`, {
      token: b.accessToken,
      body: {},
    });
    expect(cancelled.status).toBe(200);
  });

  it("opens a pending escrow with the commission split and a generated escrow contract", async () => {
    const res = await call("POST", "/api/v1/escrows", {
      token: buyer.accessToken,
      body: {
        sellerEmail: seller.email.toUpperCase(),
        amount: 500_001,
        currency: "NGN",
        description: "Domain shop.ng",
        inspectionPeriodHours: 48,
      },
    });
    expect(res.status).toBe(201);
    const e = res.body.data;
    expect(e).toMatchObject({
      status: "pending",
      buyerId: buyer.user.id,
      sellerId: seller.user.id,
      amount: 500_001,
      currency: "NGN",
      commission: 12_500, // 12 500.025 → 12 500 (250 bps, half up)
      sellerPayout: 487_501,
      inspectionPeriodHours: 48,
      payment: { provider: "test", reference: null, status: "unpaid" },
    });
    expect(e.id).toMatch(/^esc_/);
    expect(e.contractId).toMatch(/^ctr_/);

    // The projection and the contract are there once the call answered.
    const row = await env.DB.prepare("SELECT status, commission, seller_payout FROM escrows WHERE id = ?")
      .bind(e.id)
      .first();
    expect(row).toEqual({ status: "pending", commission: 12_500, seller_payout: 487_501 });
    const contract = await call("GET", `/api/v1/contracts/${e.contractId}`, { token: buyer.accessToken });
    expect(contract.status).toBe(200);
    expect(contract.body.data.signers.map((s: any) => s.email).sort()).toEqual([buyer.email, seller.email].sort());
    expect(contract.body.data.body).toContain("Domain shop.ng");
    expect(contract.body.data.status).toBe("pending"); // sent to both parties for signature
    // Issue 14.5: the contract states the escrow's own terms in words a party reads.
    expect(contract.body.data.body).toContain("The price is \u20a65,000.01.");
    expect(contract.body.data.body).toContain("Escra's commission is 2.5% of the price, \u20a6125.00");
    expect(contract.body.data.body).toContain("On release the Seller's payout is \u20a64,875.01.");
    expect(contract.body.data.body).toContain("The Buyer has 48 hours (2 days) from the reveal");
    expect(contract.body.data.body).not.toMatch(/minor units|delivers the goods to delivered/);
  });

  it("links a contract the buyer can see instead of generating one", async () => {
    const first = await openEscrow(buyer, seller);
    // Its own contract between the two parties (a contract already bound to `first` is refused: issue 12 kind 4).
    const contract = await call("POST", "/api/v1/contracts", {
      token: buyer.accessToken,
      body: {
        title: "Sale",
        type: "sale",
        body: "The seller sells.",
        signers: [
          { email: seller.email, name: "Sam", role: "signer", order: 1 },
          { email: buyer.email, name: "Bea", role: "signer", order: 1 },
        ],
      },
    });
    expect(contract.status).toBe(201);
    const res = await call("POST", "/api/v1/escrows", {
      token: buyer.accessToken,
      body: {
        sellerEmail: seller.email,
        amount: 1000,
        currency: "USD",
        description: "x",
        contractId: contract.body.data.id,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.contractId).toBe(contract.body.data.id);
    const hidden = await call("POST", "/api/v1/escrows", {
      token: outsider.accessToken,
      body: {
        sellerEmail: seller.email,
        amount: 1000,
        currency: "USD",
        description: "x",
        contractId: first.contractId,
      },
    });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe("RES001");
  });

  it("rejects invalid input with VAL001 and no escrow", async () => {
    // Any escrow these calls opened would be the buyer's: other files' escrows stay out of the count.
    const before = await escrowCount(buyer);
    for (const body of [
      { amount: 100, currency: "NGN", description: "no seller" },
      { sellerEmail: seller.email, currency: "NGN", description: "no amount" },
      { sellerEmail: seller.email, amount: 10.5, currency: "NGN", description: "float" },
      { sellerEmail: seller.email, amount: 100, currency: "XYZ", description: "bad currency" },
      { sellerEmail: seller.email, amount: 100, currency: "NGN", description: "" },
      {
        sellerEmail: seller.email,
        listingId: "lst_00000000000000000000",
        amount: 100,
        currency: "NGN",
        description: "both",
      },
      { sellerEmail: buyer.email, amount: 100, currency: "NGN", description: "self" },
    ]) {
      const res = await call("POST", "/api/v1/escrows", { token: buyer.accessToken, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
    }
    expect(await escrowCount(buyer)).toBe(before);
  });

  it("needs a caller (AUTH004), a known seller (RES001), and write rights (viewer → AUTH003)", async () => {
    const anon = await call("POST", "/api/v1/escrows", {
      body: { sellerEmail: seller.email, amount: 1, currency: "NGN", description: "x" },
    });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe("AUTH004");
    const unknown = await call("POST", "/api/v1/escrows", {
      token: buyer.accessToken,
      body: { sellerEmail: "nobody-here@example.com", amount: 1, currency: "NGN", description: "x" },
    });
    expect(unknown.status).toBe(404);
    const viewer = await createUser({ role: "viewer" });
    const res = await call("POST", "/api/v1/escrows", {
      token: viewer.accessToken,
      body: { sellerEmail: seller.email, amount: 1, currency: "NGN", description: "x" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AUTH003");
  });
});

describe("GET /escrows, /escrows/:id, /escrows/:id/events", () => {
  it("parties and admins see it; others get RES001", async () => {
    const e = await openEscrow(buyer, seller);
    for (const who of [buyer, seller, admin]) {
      const res = await call("GET", `/api/v1/escrows/${e.id}`, { token: who.accessToken });
      expect(res.status).toBe(200);
      expect(res.body.data.id).toBe(e.id);
    }
    const res = await call("GET", `/api/v1/escrows/${e.id}`, { token: outsider.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("RES001");
    const events = await call("GET", `/api/v1/escrows/${e.id}/events`, { token: outsider.accessToken });
    expect(events.status).toBe(404);
  });

  it("lists a party's escrows paginated, filtered by role and status", async () => {
    const mine = await call("GET", "/api/v1/escrows?perPage=2", { token: seller.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toHaveLength(2);
    expect(mine.body.pagination.total).toBeGreaterThanOrEqual(3);
    expect(mine.body.data.every((e: any) => e.sellerId === seller.user.id)).toBe(true);
    const asBuyer = await call("GET", "/api/v1/escrows?role=buyer", { token: seller.accessToken });
    expect(asBuyer.body.pagination.total).toBe(0);
    const none = await call("GET", "/api/v1/escrows", { token: outsider.accessToken });
    expect(none.body.pagination.total).toBe(0);
    // An admin sees every pending escrow, other files' too: the seller's among them are all of the seller's.
    const all = await everyEscrow(admin, "status=pending");
    // Counted by id: a page boundary that moves between reads must not count one escrow twice.
    const sellers = new Set(
      all.filter((e) => e.sellerId === seller.user.id || e.buyerId === seller.user.id).map((e) => e.id),
    );
    expect(sellers.size).toBe(mine.body.pagination.total);
    const bad = await call("GET", "/api/v1/escrows?status=nope", { token: buyer.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
  });

  it("returns the hash-chained audit trail", async () => {
    const e = await openEscrow(buyer, seller);
    const res = await call("GET", `/api/v1/escrows/${e.id}/events`, { token: seller.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ seq: 1, type: "escrow.created", actorId: buyer.user.id });
    expect(res.body.data[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const badId = await call("GET", "/api/v1/escrows/nope/events", { token: seller.accessToken });
    expect(badId.status).toBe(400);
  });
});

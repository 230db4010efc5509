// End to end through the API: listing → approval → purchase → signed webhook funds → contract signed by both (real signing) → deliver →
// reveal once → confirm → payout once → completed, with buyer's and seller's sockets receiving each step.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { LiveClient } from "../durable-objects/live-client";
import { TestPaymentProvider } from "../../src/lib/payments/test-provider";
import { payoutReference } from "../../src/lib/payments/provider";
import { parties, waitFor } from "./helpers";
import { listEmails } from "../helpers/mailbox";

/** Every email a party received for the deal (the account's own verification email left out), once the queue is
 * quiet: the list is read until it has not changed for two seconds. */
async function dealEmails(email: string) {
  let last = "";
  for (let stable = 0; stable < 4; ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = JSON.stringify((await listEmails(email)).map((m) => m.subject));
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return (await listEmails(email)).filter((m) => !/verify your email|verification code/i.test(m.subject));
}

const STEPS = [
  "escrow.funded",
  "escrow.contract_signed",
  "escrow.delivered",
  "escrow.credentials_released",
  "escrow.completed",
  "escrow.payout_sent",
];
const typed = (name: string) => ({ signature: { type: "typed", value: name }, consent: true });

async function collect(client: LiveClient, types: string[]) {
  const seen: any[] = [];
  while (seen.length < types.length) {
    const m = await client.next(15_000);
    if (m.type.startsWith("escrow.")) seen.push(m);
  }
  return seen;
}

describe("escrow end to end", () => {
  it("listing → approval → purchase → fund → sign → deliver → reveal → confirm → payout → sold, live on both sockets", async () => {
    const { buyer, seller, outsider } = await parties();
    const admin = await createUser({ role: "admin" });
    // The seller lists; an admin approves; the buyer buys it from the catalog.
    const listing = (
      await call("POST", "/api/v1/listings", {
        token: seller.accessToken,
        body: {
          title: "Newsletter with 12k subscribers",
          description: "Tech niche",
          category: "newsletters",
          price: { amount: 750_000, currency: "NGN" },
        },
      })
    ).body.data;
    await call("POST", `/api/v1/listings/${listing.id}/submit`, { token: seller.accessToken });
    expect(
      (await call("POST", `/api/v1/admin/listings/${listing.id}/approve`, { token: admin.accessToken, body: {} })).body
        .data.status,
    ).toBe("approved");
    expect((await call("GET", `/api/v1/catalog/${listing.id}`)).status).toBe(200);
    const bought = await call("POST", "/api/v1/escrows", {
      token: buyer.accessToken,
      body: { listingId: listing.id, description: "Newsletter purchase", inspectionPeriodHours: 24 },
    });
    expect(bought.status).toBe(201);
    const e = bought.body.data;
    expect(e).toMatchObject({ amount: 750_000, commission: 18_750, sellerPayout: 731_250, listingId: listing.id });
    const path = `/api/v1/escrows/${e.id}/live`;
    const buyerSocket = await LiveClient.authed(path, buyer.accessToken);
    const sellerSocket = await LiveClient.authed(path, seller.accessToken);
    const intruder = await LiveClient.open(path);
    intruder.send({ type: "auth", payload: { token: outsider.accessToken } });
    expect((await intruder.closed).code).toBe(4003);

    const fund = await call("POST", `/api/v1/escrows/${e.id}/fund`, { token: buyer.accessToken });
    expect(
      (await call("POST", `/api/v1/dev/payments/${fund.body.data.payment.reference}/succeed`)).body.data.outcome,
    ).toBe("funded");

    // The generated escrow contract was sent to both; each signs; contract.activated moves the escrow on.
    for (const who of [seller, buyer]) {
      const signed = await call("POST", `/api/v1/contracts/${e.contractId}/sign`, {
        token: who.accessToken,
        body: typed(who.user.name),
      });
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    }
    await waitFor(
      async () =>
        (await call("GET", `/api/v1/escrows/${e.id}`, { token: buyer.accessToken })).body.data.status ===
        "contract_signed",
      "contract_signed",
      15_000,
    );

    expect(
      (
        await call("POST", `/api/v1/escrows/${e.id}/deliver`, {
          token: seller.accessToken,
          body: { credentials: { login: "a", password: "b" } },
        })
      ).status,
    ).toBe(200);
    const reveal = await call("POST", `/api/v1/escrows/${e.id}/reveal`, { token: buyer.accessToken });
    expect(reveal.body.data.credentials).toEqual({ login: "a", password: "b" });
    expect((await call("POST", `/api/v1/escrows/${e.id}/reveal`, { token: buyer.accessToken })).body.error.code).toBe(
      "RES002",
    );
    expect((await call("POST", `/api/v1/escrows/${e.id}/confirm`, { token: buyer.accessToken })).body.data.status).toBe(
      "completed",
    );

    for (const socket of [buyerSocket, sellerSocket]) {
      const events = await collect(socket, STEPS);
      expect(events.map((m) => m.type)).toEqual(STEPS);
      expect(events.every((m) => m.data.escrowId === e.id && typeof m.seq === "number")).toBe(true);
    }
    const final = (await call("GET", `/api/v1/escrows/${e.id}`, { token: seller.accessToken })).body.data;
    expect(final).toMatchObject({ status: "completed", payout: { status: "sent" } });
    const transfers = (await new TestPaymentProvider(env).transfers()).filter(
      (t) => t.reference === payoutReference(e.id),
    );
    expect(transfers).toEqual([expect.objectContaining({ amount: 731_250 })]);
    await waitFor(
      async () =>
        (await call("GET", `/api/v1/listings/${listing.id}`, { token: seller.accessToken })).body.data.status ===
        "sold",
      "listing sold",
    );

    // Issue 13: one email per party per event, each naming the deal (the escrow's id or description, or the
    // contract's title) — not the 14 undifferentiated emails one party once received for one contract and escrow.
    for (const party of [buyer, seller]) {
      const subjects = (await dealEmails(party.email)).map((m) => m.subject);
      console.log(`emails to the ${party === buyer ? "buyer" : "seller"}:`, subjects);
      expect(new Set(subjects).size).toBe(subjects.length);
      for (const subject of subjects)
        expect(subject).toMatch(new RegExp(`${e.id}|Newsletter purchase|${listing.title}`));
      expect(subjects.length).toBeLessThanOrEqual(9);
    }
    // Four accounts (argon2) and two queue hops: on a loaded 2-core machine this takes longer than the default 30 s.
  }, 240_000);
});

// Issue 11 kind 1: an email address is not an identity until it is verified. Everything addressed to an email binds
// only to an account that verified it; an unverified registration never locks the mailbox's owner out, expires
// after 7 days, and seller-side actions need a verified address (AUTH006).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { listEmails } from "../helpers/mailbox";
import { createUser, login, testIp, verificationCode } from "../helpers/users";
import { expireUnverifiedAccounts, UNVERIFIED_SWEEP_BATCH } from "../../src/cron/unverified-accounts";

const PASSWORD = "correct horse battery";

function shopEmail(label: string) {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@shop.test`;
}

/** Registers without verifying and logs in (login does not need a verified address): the squatter of the issue. */
async function unverifiedUser(email: string, name = "Squatter X") {
  const res = await call("POST", "/api/v1/auth/register", {
    body: { email, password: PASSWORD, name },
    headers: { "cf-connecting-ip": testIp() },
  });
  expect(res.status).toBe(201);
  const session = await login(email, PASSWORD);
  expect(session.status).toBe(200);
  await verificationCode(email); // delivered (and never used), so the owner's later code is the newest mail
  return { id: res.body.data.user.id as string, token: session.body.data.accessToken as string, email };
}

/** The real owner of the mailbox registers and verifies with the code mailed to it. */
async function ownerRegistersAndVerifies(email: string) {
  const reg = await call("POST", "/api/v1/auth/register", {
    body: { email, password: `${PASSWORD}!`, name: "Real Owner" },
    headers: { "cf-connecting-ip": testIp() },
  });
  expect(reg.status).toBe(201);
  const code = await newestCode(email, 2);
  const verified = await call("POST", "/api/v1/auth/verify-email", {
    body: { email, code },
    headers: { "cf-connecting-ip": testIp() },
  });
  expect(verified.status).toBe(200);
  const session = await login(email, `${PASSWORD}!`);
  expect(session.status).toBe(200);
  return { id: reg.body.data.user.id as string, token: session.body.data.accessToken as string };
}

/** The code of the newest verification email once `count` of them reached the address. */
async function newestCode(email: string, count: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const codes = (await listEmails(email)).filter((m) => m.subject.includes("verification code"));
    if (codes.length >= count) return /\b(\d{6})\b/.exec(codes[0]!.text)![1]!;
    if (Date.now() > deadline) throw new Error(`only ${codes.length} verification emails to ${email}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const escrowBody = (sellerEmail: string) => ({
  sellerEmail,
  amount: 500_000,
  currency: "NGN",
  description: "Instagram account @shop",
  inspectionPeriodHours: 24,
});

describe("an email address is not an identity until verified (issue 11.1)", () => {
  it("an unverified registration of seller@… is not the escrow's seller, and the real owner can still register", async () => {
    const sellerEmail = shopEmail("seller");
    const squatter = await unverifiedUser(sellerEmail);
    const buyer = await createUser();

    // The buyer cannot open an escrow with an address nobody proved: no account is bound to it.
    const refused = await call("POST", "/api/v1/escrows", { token: buyer.accessToken, body: escrowBody(sellerEmail) });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("RES001");
    const list = await call("GET", "/api/v1/escrows", { token: squatter.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([]);

    // The mailbox's owner registers the same address: 201, not 409. The squatting account is retired.
    const owner = await ownerRegistersAndVerifies(sellerEmail);
    expect(owner.id).not.toBe(squatter.id);
    expect((await call("GET", "/api/v1/auth/me", { token: squatter.token })).body.error.code).toBe("AUTH002");
    expect((await login(sellerEmail, PASSWORD)).body.error.code).toBe("AUTH001");
    const retired = await env.DB.prepare("SELECT email, deleted_at FROM users WHERE id = ?")
      .bind(squatter.id)
      .first<{ email: string; deleted_at: string }>();
    expect(retired!.deleted_at).not.toBeNull();
    expect(retired!.email).not.toBe(sellerEmail);

    // Now the address is an identity: the escrow binds to the verified owner, who reads it as its seller.
    const opened = await call("POST", "/api/v1/escrows", { token: buyer.accessToken, body: escrowBody(sellerEmail) });
    expect(opened.status).toBe(201);
    expect(opened.body.data.sellerId).toBe(owner.id);
    expect((await call("GET", `/api/v1/escrows/${opened.body.data.id}`, { token: owner.token })).status).toBe(200);
    expect((await call("GET", `/api/v1/escrows/${opened.body.data.id}`, { token: squatter.token })).status).toBe(401);
  });

  it("registering an address held by a verified account is still 409 RES002", async () => {
    const taken = await createUser();
    const again = await call("POST", "/api/v1/auth/register", {
      body: { email: taken.email, password: PASSWORD, name: "Thief" },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RES002");
    expect((await login(taken.email, taken.password)).status).toBe(200);
  });

  it("a contract shared with an address gives an unverified account nothing; it applies once the owner verifies", async () => {
    const owner = await createUser();
    const email = shopEmail("shared");
    const squatter = await unverifiedUser(email);
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.accessToken,
      body: { title: "Supply agreement", type: "supply", body: "Terms." },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const shared = await call("POST", `/api/v1/contracts/${id}/share`, {
      token: owner.accessToken,
      body: { email, permission: "edit" },
    });
    expect(shared.status).toBe(201);
    expect(shared.body.data.userId).toBeNull();

    expect((await call("GET", `/api/v1/contracts/${id}`, { token: squatter.token })).status).toBe(404);
    const patched = await call("PATCH", `/api/v1/contracts/${id}`, {
      token: squatter.token,
      body: { title: "Mine now" },
    });
    expect(patched.status).toBe(404);
    const listed = await call("GET", "/api/v1/contracts", { token: squatter.token });
    expect(listed.body.data.map((c: { id: string }) => c.id)).not.toContain(id);

    const real = await ownerRegistersAndVerifies(email);
    const seen = await call("GET", `/api/v1/contracts/${id}`, { token: real.token });
    expect(seen.status).toBe(200);
    expect(seen.body.data.id).toBe(id);
  });

  it("a team invitation to an address does not count an unverified account as a member, nor lets it join", async () => {
    const owner = await createUser();
    const email = shopEmail("invitee");
    const squatter = await unverifiedUser(email);
    const team = await call("POST", "/api/v1/teams", { token: owner.accessToken, body: { name: "Sellers" } });
    expect(team.status).toBe(201);
    const invited = await call("POST", `/api/v1/teams/${team.body.data.id}/members`, {
      token: owner.accessToken,
      body: { email, role: "member" },
    });
    expect(invited.status).toBe(201);
    const delivery = await env.DB.prepare(
      "SELECT user_id, on_behalf_of FROM email_deliveries WHERE \"to\" = ? AND template = 'team-invitation'",
    )
      .bind(email)
      .first<{ user_id: string | null; on_behalf_of: string }>();
    expect(delivery).toEqual({ user_id: null, on_behalf_of: owner.user.id });
    void squatter;
  });

  it("seller-side actions need a verified address: listing creation, credential delivery, payout account (AUTH006)", async () => {
    const unverified = await unverifiedUser(shopEmail("lister"));
    const listing = await call("POST", "/api/v1/listings", {
      token: unverified.token,
      body: {
        title: "Instagram page 50k",
        description: "Fashion niche",
        category: "Social",
        price: { amount: 250_000, currency: "NGN" },
      },
    });
    expect(listing.status).toBe(403);
    expect(listing.body.error.code).toBe("AUTH006");
    const payout = await call("PUT", "/api/v1/users/me/payout-account", {
      token: unverified.token,
      body: { name: "Ada Seller", accountNumber: "0123456789", bankCode: "058", currency: "NGN" },
    });
    expect(payout.status).toBe(403);
    expect(payout.body.error.code).toBe("AUTH006");
    const deliver = await call("POST", "/api/v1/escrows/esc_00000000000000000001/deliver", {
      token: unverified.token,
      body: { credentials: { password: "x" } },
    });
    expect(deliver.status).toBe(403);
    expect(deliver.body.error.code).toBe("AUTH006");

    // The same person, once verified, lists.
    const seller = await createUser();
    const ok = await call("POST", "/api/v1/listings", {
      token: seller.accessToken,
      body: {
        title: "Instagram page 50k",
        description: "Fashion niche",
        category: "Social",
        price: { amount: 250_000, currency: "NGN" },
      },
    });
    expect(ok.status).toBe(201);
  });

  it("an account unverified for 7 days is retired by the sweep, in bounded batches; younger or verified ones stay", async () => {
    // The sweep takes the oldest due accounts first: retire those other files left in this workerd's shared
    // database (by sweeps a minute ahead of the clock), so the one sweep below meets this test's accounts.
    const ahead = new Date(Date.now() + 60_000);
    while ((await expireUnverifiedAccounts(env, ahead)) > 0);
    const old = await unverifiedUser(shopEmail("stale"));
    const young = await unverifiedUser(shopEmail("fresh"));
    const verified = await createUser();
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000).toISOString();
    await env.DB.prepare("UPDATE users SET created_at = ? WHERE id IN (?, ?)")
      .bind(eightDaysAgo, old.id, verified.user.id)
      .run();
    await env.DB.prepare("UPDATE users SET created_at = ? WHERE id = ?").bind(sixDaysAgo, young.id).run();

    const retired = await expireUnverifiedAccounts(env, new Date());
    expect(retired).toBeGreaterThanOrEqual(1);
    expect(retired).toBeLessThanOrEqual(UNVERIFIED_SWEEP_BATCH);
    const state = async (id: string) =>
      env.DB.prepare("SELECT deleted_at, email FROM users WHERE id = ?")
        .bind(id)
        .first<{ deleted_at: string | null; email: string }>();
    expect((await state(old.id))!.deleted_at).not.toBeNull();
    expect((await state(young.id))!.deleted_at).toBeNull();
    expect((await state(verified.user.id))!.deleted_at).toBeNull();
    expect((await call("GET", "/api/v1/auth/me", { token: old.token })).body.error.code).toBe("AUTH002");
    expect((await call("GET", "/api/v1/auth/me", { token: young.token })).status).toBe(200);
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_logs WHERE action = 'auth.unverified_account.expired' AND resource_id = ?",
    )
      .bind(old.id)
      .first<{ n: number }>();
    expect(audit!.n).toBe(1);
    // Its address is free: registering it again is an ordinary new account.
    const again = await call("POST", "/api/v1/auth/register", {
      body: { email: old.email, password: PASSWORD, name: "Later" },
      headers: { "cf-connecting-ip": testIp() },
    });
    expect(again.status).toBe(201);
  });
});

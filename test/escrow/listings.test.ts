import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { fundEscrow, markContractSigned, waitFor } from "./helpers";

let seller: TestUser, buyer: TestUser, other: TestUser, admin: TestUser;
beforeAll(async () => {
  [seller, buyer, other, admin] = await Promise.all([
    createUser({ name: "Sella" }),
    createUser({ name: "Bayo" }),
    createUser(),
    createUser({ role: "admin" }),
  ]);
});

// The public catalog lists every approved listing of the database, other files' too: this file's catalog listing
// carries a word no other listing has, and the catalog queries search for it.
const SHOP = `bestshoes${crypto.randomUUID().slice(0, 8)}`;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3]);
const draft = (over: Record<string, unknown> = {}) => ({
  title: "Instagram page 50k",
  description: "Fashion niche",
  category: "Social",
  price: { amount: 250_000, currency: "NGN" },
  ...over,
});
const post = (path: string, who: TestUser | null, body?: unknown) =>
  call("POST", `/api/v1${path}`, {
    ...(who ? { token: who.accessToken } : {}),
    ...(body !== undefined ? { body } : {}),
  });

async function approvedListing(over: Record<string, unknown> = {}) {
  const created = await post("/listings", seller, draft(over));
  expect(created.status).toBe(201);
  const id = created.body.data.id;
  expect((await post(`/listings/${id}/submit`, seller)).status).toBe(200);
  expect((await post(`/admin/listings/${id}/approve`, admin, {})).status).toBe(200);
  return id as string;
}

function uploadProof(id: string, who: TestUser, bytes: Uint8Array, name = "shot.png") {
  const form = new FormData();
  form.append("file", new File([bytes], name));
  return fetchWorker(`/api/v1/listings/${id}/proofs`, {
    method: "POST",
    headers: { authorization: `Bearer ${who.accessToken}` },
    body: form,
  });
}

describe("listings (seller)", () => {
  it("create → edit → proof → submit; only the seller acts; bad input VAL001", async () => {
    const created = await post("/listings", seller, draft());
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      status: "draft",
      category: "social",
      price: { amount: 250_000, currency: "NGN" },
      sellerId: seller.user.id,
    });
    const id = created.body.data.id;
    expect((await post("/listings", seller, draft({ price: { amount: 1.5, currency: "NGN" } }))).body.error.code).toBe(
      "VAL001",
    );
    expect((await post("/listings", null, draft())).body.error.code).toBe("AUTH004");

    const patched = await call("PATCH", `/api/v1/listings/${id}`, {
      token: seller.accessToken,
      body: { title: "Instagram page 60k" },
    });
    expect(patched.body.data.title).toBe("Instagram page 60k");
    expect(
      (await call("PATCH", `/api/v1/listings/${id}`, { token: seller.accessToken, body: {} })).body.error.code,
    ).toBe("VAL001");
    expect(
      (await call("PATCH", `/api/v1/listings/${id}`, { token: other.accessToken, body: { title: "mine now" } })).status,
    ).toBe(404);
    expect(
      (await call("PATCH", `/api/v1/listings/${id}`, { token: admin.accessToken, body: { title: "admin edit" } })).body
        .error.code,
    ).toBe("AUTH003");

    const proof = await uploadProof(id, seller, PNG);
    expect(proof.status).toBe(201);
    const withProof = ((await proof.json()) as any).data;
    expect(withProof.proofs).toHaveLength(1);
    expect(withProof.proofs[0]).toMatchObject({ contentType: "image/png", size: PNG.length });
    expect(await env.DOCUMENTS.head(`listings/${id}/proofs/${withProof.proofs[0].id}`)).not.toBeNull();
    expect((await uploadProof(id, seller, new TextEncoder().encode("not an image"), "x.txt")).status).toBe(415);
    expect((await uploadProof(id, other, PNG)).status).toBe(404);

    const submitted = await post(`/listings/${id}/submit`, seller);
    expect(submitted.body.data.status).toBe("under_review");
    expect((await post(`/listings/${id}/submit`, seller)).body.error.code).toBe("RES002");
    expect(
      (await call("PATCH", `/api/v1/listings/${id}`, { token: seller.accessToken, body: { title: "late" } })).body.error
        .code,
    ).toBe("RES002");

    const mine = await call("GET", "/api/v1/listings?status=under_review", { token: seller.accessToken });
    expect(mine.body.data.map((l: any) => l.id)).toContain(id);
    expect(
      (await call("GET", "/api/v1/listings", { token: other.accessToken })).body.data.map((l: any) => l.id),
    ).not.toContain(id);
    expect((await call("GET", `/api/v1/listings/${id}`, { token: other.accessToken })).status).toBe(404);
  });

  it("deletes a draft with its proofs; not once submitted", async () => {
    const id = (await post("/listings", seller, draft())).body.data.id;
    const proofId = ((await (await uploadProof(id, seller, PNG)).json()) as any).data.proofs[0].id;
    expect((await call("DELETE", `/api/v1/listings/${id}`, { token: other.accessToken })).status).toBe(404);
    const del = await call("DELETE", `/api/v1/listings/${id}`, { token: seller.accessToken });
    expect(del.body.data).toEqual({ id, deleted: true });
    expect(await env.DOCUMENTS.head(`listings/${id}/proofs/${proofId}`)).toBeNull();
    expect((await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).status).toBe(404);
    const sub = (await post("/listings", seller, draft())).body.data.id;
    await post(`/listings/${sub}/submit`, seller);
    expect((await call("DELETE", `/api/v1/listings/${sub}`, { token: seller.accessToken })).body.error.code).toBe(
      "RES002",
    );
  });
});

describe("moderation and catalog", () => {
  it("admin approves, rejects, requests info; only admins; the catalog shows approved only, filtered", async () => {
    const a = (
      await post(
        "/listings",
        seller,
        draft({ title: `Domain ${SHOP}.ng`, category: "domains", price: { amount: 90_000, currency: "NGN" } }),
      )
    ).body.data.id;
    const b = (await post("/listings", seller, draft({ title: "Shopify store", category: "stores" }))).body.data.id;
    const c = (await post("/listings", seller, draft({ title: "YouTube channel" }))).body.data.id;
    for (const id of [a, b, c]) await post(`/listings/${id}/submit`, seller);

    expect((await post(`/admin/listings/${a}/approve`, seller, {})).body.error.code).toBe("AUTH003");
    const queue = await call("GET", "/api/v1/admin/listings?status=under_review", { token: admin.accessToken });
    expect(queue.body.data.map((l: any) => l.id)).toEqual(expect.arrayContaining([a, b, c]));
    expect((await call("GET", "/api/v1/admin/listings", { token: seller.accessToken })).status).toBe(403);

    expect((await post(`/admin/listings/${a}/approve`, admin, {})).body.data.status).toBe("approved");
    expect((await post(`/admin/listings/${b}/reject`, admin, {})).body.error.code).toBe("VAL001");
    expect(
      (await post(`/admin/listings/${b}/reject`, admin, { reason: "no proof of ownership" })).body.data,
    ).toMatchObject({ status: "rejected", reviewNote: "no proof of ownership" });
    expect(
      (await post(`/admin/listings/${c}/request-info`, admin, { reason: "add traffic stats" })).body.data,
    ).toMatchObject({ status: "draft", reviewNote: "add traffic stats" });
    expect((await post(`/admin/listings/${a}/approve`, admin, {})).body.error.code).toBe("RES002");
    const audit = await env.DB.prepare("SELECT action FROM audit_logs WHERE resource_id = ?").bind(b).all();
    expect(audit.results).toEqual([{ action: "listing.reject" }]);

    const catalog = await call("GET", `/api/v1/catalog?category=domains&q=${SHOP}`);
    expect(catalog.status).toBe(200);
    expect(catalog.body.data.map((l: any) => l.id)).toEqual([a]);
    expect((await call("GET", `/api/v1/catalog?category=stores&q=${SHOP}`)).body.data).toEqual([]);
    expect((await call("GET", `/api/v1/catalog?q=${SHOP}&maxPrice=100000`)).body.data.map((l: any) => l.id)).toEqual([
      a,
    ]);
    expect((await call("GET", `/api/v1/catalog?q=${SHOP}&minPrice=100000`)).body.data).toEqual([]);
    expect((await call("GET", "/api/v1/catalog?minPrice=-1")).body.error.code).toBe("VAL001");
    expect((await call("GET", `/api/v1/catalog/${a}`)).body.data.title).toBe(`Domain ${SHOP}.ng`);
    expect((await call("GET", `/api/v1/catalog/${b}`)).status).toBe(404);
  });
});

describe("buying a listing", () => {
  it("reserves it (a second buyer gets RES002), completion marks it sold", async () => {
    const id = await approvedListing();
    expect((await post("/escrows", seller, { listingId: id, description: "own" })).body.error.code).toBe("VAL001");
    expect((await post("/escrows", buyer, { listingId: id, amount: 1, description: "cheaper" })).body.error.code).toBe(
      "VAL001",
    );
    const bought = await post("/escrows", buyer, { listingId: id, description: "buying the page" });
    expect(bought.status).toBe(201);
    expect(bought.body.data).toMatchObject({
      listingId: id,
      sellerId: seller.user.id,
      amount: 250_000,
      currency: "NGN",
    });
    expect((await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data).toMatchObject({
      status: "reserved",
      escrowId: bought.body.data.id,
    });
    expect((await post("/escrows", other, { listingId: id, description: "me too" })).body.error.code).toBe("RES002");
    expect((await call("GET", `/api/v1/catalog/${id}`)).status).toBe(404);

    const e = bought.body.data;
    await fundEscrow(buyer, e.id);
    await markContractSigned(e.id);
    await post(`/escrows/${e.id}/deliver`, seller, { credentials: { login: "x" } });
    await post(`/escrows/${e.id}/reveal`, buyer);
    await post(`/escrows/${e.id}/confirm`, buyer);
    await waitFor(
      async () =>
        (await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data.status === "sold",
      "listing sold",
    );
  });

  it("a refund returns the listing to the catalog", async () => {
    const id = await approvedListing({ title: "Refundable" });
    const e = (await post("/escrows", buyer, { listingId: id, description: "x" })).body.data;
    await fundEscrow(buyer, e.id);
    await post(`/escrows/${e.id}/dispute`, buyer, { reason: "seller vanished" });
    expect((await post(`/admin/escrows/${e.id}/refund`, admin, {})).body.data.status).toBe("refunded");
    await waitFor(
      async () => (await call("GET", `/api/v1/catalog/${id}`)).status === 200,
      "listing back in the catalog",
    );
    expect((await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data).toMatchObject({
      status: "approved",
      escrowId: null,
    });
  });
});

describe("path and query validation", () => {
  it("malformed ids and filters are VAL001 on every listing, moderation and escrow action", async () => {
    const cases: [string, string, TestUser | null][] = [
      ["GET", "/api/v1/listings?status=bogus", seller],
      ["GET", "/api/v1/listings/lst_bad", seller],
      ["POST", "/api/v1/listings/lst_bad/submit", seller],
      ["GET", "/api/v1/admin/listings?status=bogus", admin],
      ["POST", "/api/v1/admin/listings/nope/approve", admin],
      ["GET", "/api/v1/catalog/nope", null],
      ["POST", "/api/v1/escrows/esc_bad/confirm", buyer],
      ["POST", "/api/v1/escrows/esc_bad/reveal", buyer],
      ["POST", "/api/v1/escrows/esc_bad/deliver", seller],
      ["POST", "/api/v1/admin/escrows/esc_bad/refund", admin],
    ];
    for (const [method, path, who] of cases) {
      const res = await call(method, path, {
        ...(who ? { token: who.accessToken } : {}),
        ...(method === "POST" ? { body: {} } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
    }
  });
});

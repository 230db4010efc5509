// ListingRoom, the single writer of a listing: every transition audited and emitted with its state, the outbox
// surviving a D1 outage, the reservation race, listings following their escrow's events, and the public catalog.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call, fetchWorker } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { waitFor } from "./helpers";
import { refuseWrites } from "../helpers/d1-outage";
import { buildEventMessage } from "../../src/lib/events";
import type { ListingRoom } from "../../durable-objects/listing-room";
import { listingRoom } from "../../durable-objects/listing-room";
import { verifyChain } from "../../src/domain/audit-chain";

let seller: TestUser, admin: TestUser, buyers: TestUser[];
beforeAll(async () => {
  [seller, admin, ...buyers] = await Promise.all([
    createUser({ name: "Sella Public" }),
    createUser({ role: "admin" }),
    ...Array.from({ length: 5 }, () => createUser()),
  ]);
});

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3]);
const draft = (over: Record<string, unknown> = {}) => ({
  title: "Newsletter 10k",
  description: "Tech niche",
  category: "media",
  price: { amount: 120_000, currency: "NGN" },
  ...over,
});
const post = (path: string, who: TestUser | null, body?: unknown) =>
  call("POST", `/api/v1${path}`, {
    ...(who ? { token: who.accessToken } : {}),
    ...(body !== undefined ? { body } : {}),
  });
const stubOf = (id: string) => env.LISTING_ROOM.get(env.LISTING_ROOM.idFromName(id));

function uploadProof(id: string, who: TestUser, name = "ownership-proof.png") {
  const form = new FormData();
  form.append("file", new File([PNG], name));
  return fetchWorker(`/api/v1/listings/${id}/proofs`, {
    method: "POST",
    headers: { authorization: `Bearer ${who.accessToken}` },
    body: form,
  });
}

async function approvedListing(who: TestUser = seller, over: Record<string, unknown> = {}) {
  const id = (await post("/listings", who, draft(over))).body.data.id as string;
  expect((await post(`/listings/${id}/submit`, who)).status).toBe(200);
  expect((await post(`/admin/listings/${id}/approve`, admin, {})).status).toBe(200);
  return id;
}

function outboxOf(id: string) {
  return runInDurableObject(stubOf(id), (_o: ListingRoom, state) =>
    state.storage.sql
      .exec<{ channel: string; payload: string; attempts: number }>(
        "SELECT channel, payload, attempts FROM outbox ORDER BY id",
      )
      .toArray(),
  );
}

/** The seller's notifications about this listing, oldest first (the notify consumer writes one per event). */
async function heard(listingId: string, userId = seller.user.id) {
  const rows = await env.DB.prepare(
    "SELECT type, event_id FROM notifications WHERE subject_id = ? AND user_id = ? ORDER BY created_at, rowid",
  )
    .bind(listingId, userId)
    .all<{ type: string; event_id: string }>();
  return rows.results;
}

describe("every listing transition goes through ListingRoom with its event", () => {
  it("create → request-info → submit → reject → edit + proof → submit → approve → reserve → unreserve → reserve → sold", async () => {
    const id = (await post("/listings", seller, draft())).body.data.id as string;
    await post(`/listings/${id}/submit`, seller);
    expect(
      (await post(`/admin/listings/${id}/request-info`, admin, { reason: "add subscriber stats" })).body.data.status,
    ).toBe("draft");
    await post(`/listings/${id}/submit`, seller);
    expect((await post(`/admin/listings/${id}/reject`, admin, { reason: "no proof" })).body.data.status).toBe(
      "rejected",
    );
    expect(
      (await call("PATCH", `/api/v1/listings/${id}`, { token: seller.accessToken, body: { title: "Newsletter 12k" } }))
        .status,
    ).toBe(200);
    expect((await uploadProof(id, seller)).status).toBe(201);
    await post(`/listings/${id}/submit`, seller);
    expect((await post(`/admin/listings/${id}/approve`, admin, {})).body.data.status).toBe("approved");

    const escrow = (await post("/escrows", buyers[0]!, { listingId: id, description: "newsletter" })).body.data;
    expect(escrow.listingId).toBe(id);
    // The escrow could not go on (as when opening it fails): the reservation goes back through the room.
    expect((await listingRoom(env, id).settle(id, escrow.id, "unreserve")).ok).toBe(true);
    expect((await call("GET", `/api/v1/catalog/${id}`)).status).toBe(200);
    const second = (await post("/escrows", buyers[1]!, { listingId: id, description: "newsletter" })).body.data;
    await env.EVENTS.send(
      buildEventMessage({
        type: "escrow.completed",
        data: { escrowId: second.id, status: "completed", listingId: id },
        subject: { type: "escrow", id: second.id },
      }),
    );
    await waitFor(
      async () =>
        (await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data.status === "sold",
      "sold",
    );

    const trail = await listingRoom(env, id).auditTrail();
    expect(trail.map((e) => e.type)).toEqual([
      "listing.created",
      "listing.submitted",
      "listing.info_requested",
      "listing.submitted",
      "listing.rejected",
      "listing.updated",
      "listing.proof_added",
      "listing.submitted",
      "listing.approved",
      "listing.reserved",
      "listing.unreserved",
      "listing.reserved",
      "listing.sold",
    ]);
    expect(verifyChain(trail).valid).toBe(true);
    expect(trail.find((e) => e.type === "listing.rejected")).toMatchObject({
      actorId: admin.user.id,
      data: { reason: "no proof", status: "rejected" },
    });
    expect(trail.filter((e) => e.type === "listing.reserved").map((e) => e.actorId)).toEqual([
      buyers[0]!.user.id,
      buyers[1]!.user.id,
    ]);

    // Every published event reached the consumers once: the seller heard each one someone else caused (the
    // notifications consumer does not tell actors about their own steps, here the seller's submissions).
    const published = trail
      .filter((e) => e.actorId !== seller.user.id)
      .map((e) => e.type)
      .filter((t) => !["listing.created", "listing.updated", "listing.proof_added"].includes(t));
    expect(published).toEqual([
      "listing.info_requested",
      "listing.rejected",
      "listing.approved",
      "listing.reserved",
      "listing.unreserved",
      "listing.reserved",
      "listing.sold",
    ]);
    const notes = await waitFor(async () => {
      const rows = await heard(id);
      return rows.length >= published.length ? rows : null;
    }, "every listing event consumed");
    expect(notes.map((n) => n.type).sort()).toEqual([...published].sort());
    expect(new Set(notes.map((n) => n.event_id)).size).toBe(published.length);
    expect(await outboxOf(id)).toEqual([]);
    // The admin audit log got each decision in the same batch as the projection (the listing's own events, which
    // land there too since issue 16.2, carry their event id).
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_logs WHERE resource_id = ? AND event_id IS NULL ORDER BY created_at",
    )
      .bind(id)
      .all();
    expect(audit.results.map((r) => r.action)).toEqual(["listing.request_info", "listing.reject", "listing.approve"]);
    const row = await env.DB.prepare("SELECT status, escrow_id, revision FROM listings WHERE id = ?").bind(id).first();
    expect(row).toEqual({ status: "sold", escrow_id: second.id, revision: trail.length });
  });

  it("a listing written to D1 before ListingRoom existed is adopted on its first command", async () => {
    const id = "lst_LegacyListing0000001";
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO listings (id, seller_id, title, description, category, price_amount, currency, status, created_at, updated_at)
       VALUES (?, ?, 'Legacy', 'old row', 'media', 5000, 'NGN', 'draft', ?, ?)`,
    )
      .bind(id, seller.user.id, now, now)
      .run();
    const submitted = await post(`/listings/${id}/submit`, seller);
    expect(submitted.body.error).toBeUndefined();
    expect(submitted.body.data).toMatchObject({ id, status: "under_review", title: "Legacy" });
    expect((await listingRoom(env, id).auditTrail()).map((e) => e.type)).toEqual([
      "listing.adopted",
      "listing.submitted",
    ]);
  });
});

describe("unknown and deleted listings", () => {
  it("RES001 on every listing, moderation, catalog and purchase action for an unknown id, and after deletion", async () => {
    const deleted = (await post("/listings", seller, draft({ title: "Deleted soon" }))).body.data.id as string;
    expect((await call("DELETE", `/api/v1/listings/${deleted}`, { token: seller.accessToken })).status).toBe(200);
    expect(await env.DB.prepare("SELECT id FROM listings WHERE id = ?").bind(deleted).first()).toBeNull();
    expect((await listingRoom(env, deleted).submit(deleted, { userId: seller.user.id, isAdmin: false })).ok).toBe(
      false,
    );
    for (const id of ["lst_00000000000000000000", deleted]) {
      const cases: [string, string, TestUser | null, unknown][] = [
        ["GET", `/api/v1/listings/${id}`, seller, undefined],
        ["PATCH", `/api/v1/listings/${id}`, seller, { title: "nope" }],
        ["DELETE", `/api/v1/listings/${id}`, seller, undefined],
        ["POST", `/api/v1/listings/${id}/submit`, seller, undefined],
        ["POST", `/api/v1/admin/listings/${id}/approve`, admin, {}],
        ["POST", `/api/v1/admin/listings/${id}/reject`, admin, { reason: "x" }],
        ["POST", `/api/v1/admin/listings/${id}/request-info`, admin, { reason: "x" }],
        ["GET", `/api/v1/catalog/${id}`, null, undefined],
        ["POST", "/api/v1/escrows", buyers[0]!, { listingId: id, description: "x" }],
      ];
      for (const [method, path, who, body] of cases) {
        const res = await call(method, path, {
          ...(who ? { token: who.accessToken } : {}),
          ...(body !== undefined ? { body } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error.code).toBe("RES001");
      }
    }
  });
});

describe("a failing D1 projection", () => {
  it("keeps the change and its event in the outbox; the alarm catches D1 up and the event arrives exactly once", async () => {
    const id = (await post("/listings", seller, draft({ title: "During an outage" }))).body.data.id as string;
    await post(`/listings/${id}/submit`, seller);
    // The submission's event lands in the audit log too (audit consumer): let it, so the outage meets only the approval.
    await waitFor(
      () =>
        env.DB.prepare("SELECT 1 FROM audit_logs WHERE resource_id = ? AND action = 'listing.submitted'")
          .bind(id)
          .first(),
      "submission audited",
    );
    // A moderation's projection batch writes the admin audit log too; refusing this listing's audit rows fails the
    // batch atomically, as an outage would, while other files' audit rows (same database) keep being written.
    const restore = await refuseWrites("audit_logs", "resource_id", [id]);
    let pending: { channel: string; payload: string; attempts: number }[];
    try {
      const approved = await post(`/admin/listings/${id}/approve`, admin, {});
      expect(approved.status).toBe(200); // the room committed: the answer is durable
      expect(approved.body.data.status).toBe("approved");
      expect(await env.DB.prepare("SELECT status FROM listings WHERE id = ?").bind(id).first()).toEqual({
        status: "under_review",
      });
      pending = await outboxOf(id);
      // Projection before its event; the event waits for it.
      expect(pending.map((e) => e.channel)).toEqual(["projection", "event"]);
      expect(pending[0]!.attempts).toBeGreaterThanOrEqual(1);
      expect(await runInDurableObject(stubOf(id), (_o: ListingRoom, state) => state.storage.getAlarm())).not.toBeNull();
      // Still down: the alarm fails again and keeps both.
      expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
      expect((await outboxOf(id)).length).toBe(2);
      expect(await heard(id)).toEqual([]);
    } finally {
      await restore();
    }
    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
    expect(await outboxOf(id)).toEqual([]);
    expect(await env.DB.prepare("SELECT status FROM listings WHERE id = ?").bind(id).first()).toEqual({
      status: "approved",
    });
    // The moderation's own audit row (events' rows, like the submission's above, carry their event id).
    expect(
      (await env.DB.prepare("SELECT action FROM audit_logs WHERE resource_id = ? AND event_id IS NULL").bind(id).all())
        .results,
    ).toEqual([{ action: "listing.approve" }]);

    const eventId = JSON.parse(pending!.find((e) => e.channel === "event")!.payload).id as string;
    await waitFor(
      () =>
        env.DB.prepare("SELECT 1 FROM event_consumptions WHERE event_id = ? AND consumer = 'notifications'")
          .bind(eventId)
          .first(),
      "consumed",
    );
    // A later alarm sends nothing more: one event, one notification.
    await runInDurableObject(stubOf(id), (_o: ListingRoom, state) => state.storage.setAlarm(Date.now() + 60_000));
    await runDurableObjectAlarm(stubOf(id));
    await new Promise((r) => setTimeout(r, 300));
    expect(await heard(id)).toEqual([{ type: "listing.approved", event_id: eventId }]);
  });
});

describe("reservation", () => {
  it("of five buyers racing for one listing exactly one gets it; the others get RES002", async () => {
    const id = await approvedListing(seller, { title: "Raced listing" });
    const results = await Promise.all(buyers.map((b) => post("/escrows", b, { listingId: id, description: "mine" })));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("RES002");
    }
    const listing = (await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data;
    expect(listing).toMatchObject({ status: "reserved", escrowId: won[0]!.body.data.id });
    expect((await listingRoom(env, id).auditTrail()).filter((e) => e.type === "listing.reserved")).toHaveLength(1);
    // Only the winner's escrow exists for this listing.
    const escrows = await env.DB.prepare("SELECT id FROM escrows WHERE listing_id = ?").bind(id).all();
    expect(escrows.results).toEqual([{ id: won[0]!.body.data.id }]);
  });
});

describe("listings follow their escrow's events (EVENTS consumer)", () => {
  const send = (
    type: "escrow.cancelled" | "escrow.expired" | "escrow.refunded" | "escrow.completed",
    escrowId: string,
    listingId: string,
  ) => {
    const status = {
      "escrow.cancelled": "cancelled",
      "escrow.expired": "expired",
      "escrow.refunded": "refunded",
      "escrow.completed": "completed",
    }[type];
    const message = buildEventMessage({
      type,
      data: { escrowId, status, listingId } as never,
      subject: { type: "escrow", id: escrowId },
    });
    return env.EVENTS.send(message).then(() => message);
  };
  const statusOf = async (id: string) =>
    (await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data;

  for (const type of ["escrow.cancelled", "escrow.expired", "escrow.refunded"] as const) {
    it(`${type} returns the reserved listing to the catalog, once; another escrow's event changes nothing`, async () => {
      const id = await approvedListing(seller, { title: `Back after ${type}` });
      const escrow = (await post("/escrows", buyers[2]!, { listingId: id, description: "x" })).body.data;
      await send(type, "esc_SomeOtherEscrow00001", id);
      await new Promise((r) => setTimeout(r, 500));
      expect((await statusOf(id)).status).toBe("reserved");

      const message = await send(type, escrow.id, id);
      await waitFor(async () => (await call("GET", `/api/v1/catalog/${id}`)).status === 200, "back in the catalog");
      expect(await statusOf(id)).toMatchObject({ status: "approved", escrowId: null });
      // Redelivered (same event) and repeated (a new event for the same escrow): nothing more happens.
      await env.EVENTS.send(message);
      await send(type, escrow.id, id);
      await new Promise((r) => setTimeout(r, 500));
      const trail = (await listingRoom(env, id).auditTrail()).map((e) => e.type);
      expect(trail.filter((t) => t === "listing.unreserved")).toHaveLength(1);
      expect(trail.at(-1)).toBe("listing.unreserved");
      // And it can be bought again.
      expect((await post("/escrows", buyers[3]!, { listingId: id, description: "again" })).status).toBe(201);
    });
  }

  it("escrow.completed marks the reserved listing sold, once", async () => {
    const id = await approvedListing(seller, { title: "Sold by event" });
    const escrow = (await post("/escrows", buyers[4]!, { listingId: id, description: "x" })).body.data;
    const message = await send("escrow.completed", escrow.id, id);
    await waitFor(async () => (await statusOf(id)).status === "sold", "sold");
    await env.EVENTS.send(message);
    await send("escrow.refunded", escrow.id, id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(id)).toMatchObject({ status: "sold", escrowId: escrow.id });
    expect((await listingRoom(env, id).auditTrail()).filter((e) => e.type === "listing.sold")).toHaveLength(1);
  });
});

describe("the public catalog", () => {
  // Catalog searches match titles across every seller's listings: a tag no other file uses keeps them to this file's.
  const tag = crypto.randomUUID().slice(0, 8);
  const search = (title: string) => `/api/v1/catalog?q=${encodeURIComponent(`${title} ${tag}`)}`;
  it("shows public fields only: no proof names or hashes, review note, escrow or seller id", async () => {
    const id = (await post("/listings", seller, draft({ title: `Public fields ${tag}` }))).body.data.id as string;
    const withProof = (await (await uploadProof(id, seller, "secret-bank-statement.png")).json()) as any;
    const { name, sha256 } = withProof.data.proofs[0];
    await post(`/listings/${id}/submit`, seller);
    await post(`/admin/listings/${id}/approve`, admin, { reason: "internal: checked the bank statement" });

    const one = await call("GET", `/api/v1/catalog/${id}`);
    expect(one.status).toBe(200);
    expect(Object.keys(one.body.data).sort()).toEqual(
      [
        "approvedAt",
        "category",
        "createdAt",
        "description",
        "id",
        "price",
        "proofCount",
        "seller",
        "status",
        "title",
      ].sort(),
    );
    expect(one.body.data).toMatchObject({
      id,
      status: "approved",
      seller: { displayName: "Sella Public" },
      proofCount: 1,
    });
    const listed = (await call("GET", search("Public fields"))).body.data;
    expect(listed).toEqual([one.body.data]);
    for (const text of [JSON.stringify(one.body), JSON.stringify(listed)]) {
      for (const secret of [name, sha256, seller.user.id, "internal: checked", "reviewNote", "sellerId", "escrowId"])
        expect(text).not.toContain(secret);
    }
    // The seller still sees everything on their own listing.
    expect((await call("GET", `/api/v1/listings/${id}`, { token: seller.accessToken })).body.data).toMatchObject({
      sellerId: seller.user.id,
      proofs: [{ name, sha256 }],
    });
    // The OpenAPI document describes the catalog with its own public schema.
    const doc = (await call("GET", "/api/v1/openapi.json")).body;
    expect(JSON.stringify(doc.paths["/api/v1/catalog/{id}"] ?? doc.paths["/catalog/{id}"])).toContain("CatalogListing");
  });

  it("a suspended seller's listings leave the catalog (and cannot be bought) until unsuspended", async () => {
    const other = await createUser({ name: "Soon Suspended" });
    const id = await approvedListing(other, { title: `Suspended seller ${tag} item` });
    expect((await call("GET", `/api/v1/catalog/${id}`)).status).toBe(200);
    expect(
      (
        await call("PATCH", `/api/v1/admin/users/${other.user.id}`, {
          token: admin.accessToken,
          body: { suspended: true },
        })
      ).status,
    ).toBe(200);
    expect((await call("GET", `/api/v1/catalog/${id}`)).status).toBe(404);
    expect((await call("GET", search("Suspended seller"))).body.data).toEqual([]);
    expect((await post("/escrows", buyers[0]!, { listingId: id, description: "x" })).status).toBe(404);
    expect(
      (
        await call("PATCH", `/api/v1/admin/users/${other.user.id}`, {
          token: admin.accessToken,
          body: { suspended: false },
        })
      ).status,
    ).toBe(200);
    expect((await call("GET", search("Suspended seller"))).body.data.map((l: any) => l.id)).toEqual([id]);
  });

  it("an erased seller's listings leave the catalog", async () => {
    const other = await createUser({ name: "Soon Erased" });
    const id = await approvedListing(other, { title: `Erased seller ${tag} item` });
    expect((await call("GET", `/api/v1/catalog/${id}`)).status).toBe(200);
    const erased = await call("DELETE", "/api/v1/users/me", {
      token: other.accessToken,
      body: { password: other.password },
    });
    expect(erased.status).toBe(200);
    expect((await call("GET", `/api/v1/catalog/${id}`)).status).toBe(404);
    expect((await call("GET", search("Erased seller"))).body.data).toEqual([]);
  });
});

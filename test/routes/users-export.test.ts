// GET /users/me/export is complete: escrows, listings, notifications, webhook endpoints and files as links (issue 15.1).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { openEscrow, waitFor } from "../escrow/helpers";
import { seedManyContracts } from "../helpers/report-seed";

describe("GET /users/me/export", () => {
  it("includes the caller's escrows, listings, notifications, webhook endpoints (no secrets) and files as links", async () => {
    const [seller, buyer] = await Promise.all([
      createUser({ name: "Sella Export" }),
      createUser({ name: "Bayo Export" }),
    ]);
    const listing = await call("POST", "/api/v1/listings", {
      token: seller.accessToken,
      body: {
        title: "Newsletter 10k",
        description: "Tech",
        category: "Email",
        price: { amount: 90_000, currency: "NGN" },
      },
    });
    expect(listing.status).toBe(201);
    const escrow = await openEscrow(buyer, seller);
    const endpoint = await call("POST", "/api/v1/webhook-endpoints", {
      token: seller.accessToken,
      body: { url: "https://example.com/hooks", events: ["escrow.created"], description: "books" },
    });
    expect(endpoint.status).toBe(201);
    await waitFor(async () => {
      const n = await call("GET", "/api/v1/notifications", { token: seller.accessToken });
      return n.body.data?.length > 0 || n.body.data?.items?.length > 0;
    }, "a notification for the seller");

    const res = await call("GET", "/api/v1/users/me/export", { token: seller.accessToken });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.escrows.map((e: { id: string }) => e.id)).toEqual([escrow.id]);
    expect(data.listings.map((l: { id: string }) => l.id)).toEqual([listing.body.data.id]);
    expect(data.notifications.length).toBeGreaterThan(0);
    expect(data.webhookEndpoints).toEqual([
      expect.objectContaining({ id: endpoint.body.data.id, url: "https://example.com/hooks" }),
    ]);
    expect(Object.keys(data.webhookEndpoints[0])).not.toContain("secret");
    expect(JSON.stringify(data.webhookEndpoints)).not.toMatch(/whsec_/);
    expect(Array.isArray(data.files)).toBe(true);
    expect(Array.isArray(data.templates)).toBe(true);
    expect(Array.isArray(data.workflows)).toBe(true);

    const buyerExport = await call("GET", "/api/v1/users/me/export", { token: buyer.accessToken });
    expect(buyerExport.body.data.escrows.map((e: { id: string }) => e.id)).toEqual([escrow.id]);
    expect(buyerExport.body.data.listings).toEqual([]);
    // The escrow's contract is the buyer's: its document is listed as a link, not as bytes.
    expect(buyerExport.body.data.files).toContainEqual(
      expect.objectContaining({
        kind: "contractDocument",
        contractId: escrow.contractId,
        url: `/api/v1/contracts/${escrow.contractId}/document`,
      }),
    );
  });

  it("erasure removes the new sections' personal stores: notifications, webhook endpoints, workflows", async () => {
    const [owner, colleague] = await Promise.all([createUser(), createUser()]);
    const endpoint = await call("POST", "/api/v1/webhook-endpoints", {
      token: owner.accessToken,
      body: { url: "https://example.com/erase-me", events: ["escrow.created"] },
    });
    expect(endpoint.status).toBe(201);
    const at = new Date().toISOString();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO notifications (id, user_id, event_id, type, title, body, data, subject_type, subject_id, in_app, created_at)
         VALUES (?, ?, 'evt_erase', 'escrow.created', 't', 'b', '{}', 'escrow', 'esc_x', 1, ?)`,
      ).bind(`ntf_${crypto.randomUUID()}`, owner.user.id, at),
      env.DB.prepare(
        "INSERT INTO workflows (id, owner_id, name, approvers, created_at, updated_at) VALUES (?, ?, 'mine', '[]', ?, ?)",
      ).bind(`wfl_${crypto.randomUUID()}`, owner.user.id, at, at),
      // A colleague's rule naming the erased user as approver keeps the rule, not the address.
      env.DB.prepare(
        "INSERT INTO workflows (id, owner_id, name, approvers, created_at, updated_at) VALUES (?, ?, 'theirs', ?, ?, ?)",
      ).bind(
        `wfl_${crypto.randomUUID()}`,
        colleague.user.id,
        JSON.stringify([{ email: owner.email, order: 1 }]),
        at,
        at,
      ),
    ]);

    const erased = await call("DELETE", "/api/v1/users/me", {
      token: owner.accessToken,
      body: { password: owner.password },
    });
    expect(erased.status).toBe(200);
    const count = async (sql: string, ...args: string[]) =>
      (
        await env.DB.prepare(sql)
          .bind(...args)
          .first<{ n: number }>()
      )?.n;
    expect(await count("SELECT COUNT(*) AS n FROM notifications WHERE user_id = ?", owner.user.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE user_id = ?", owner.user.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM workflows WHERE owner_id = ?", owner.user.id)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM workflows WHERE owner_id = ?", colleague.user.id)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM workflows WHERE instr(approvers, ?) > 0", owner.email)).toBe(0);
  });

  it("`truncated` names a section only when rows lie beyond the 1,000 listed (exactly 1,000 is complete)", async () => {
    const owner = await createUser({ name: "Exact Thousand" });
    const tag = `x${owner.user.id.slice(-9)}`;
    await seedManyContracts({ ownerId: owner.user.id, tag, count: 1_000, start: "2026-02-01T00:00:00.000Z" });
    const exact = await call("GET", "/api/v1/users/me/export", { token: owner.accessToken });
    expect(exact.status).toBe(200);
    expect(exact.body.data.contracts).toHaveLength(1_000);
    expect(exact.body.data.files).toHaveLength(1_000);
    expect(exact.body.data.truncated).toEqual([]);

    await env.DB.prepare(
      `INSERT INTO contracts (id, title, type, status, version, owner_id, body, variables, tags, created_at, updated_at,
         revision) VALUES (?, 'One more', 'nda', 'draft', 1, ?, 'Body', '{}', '[]', ?, ?, 1)`,
    )
      .bind(`ctr_${tag}9999999999`, owner.user.id, "2026-03-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z")
      .run();
    const over = await call("GET", "/api/v1/users/me/export", { token: owner.accessToken });
    expect(over.body.data.contracts).toHaveLength(1_000);
    expect(over.body.data.truncated).toEqual(expect.arrayContaining(["contracts", "files"]));
  });

  it("refuses anonymous callers (AUTH004)", async () => {
    const res = await call("GET", "/api/v1/users/me/export");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("AUTH004");
  });
});

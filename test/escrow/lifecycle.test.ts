import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { deliver } from "../jobs/queue-harness";
import { escrowRoom, type EscrowRoom } from "../../durable-objects/escrow-room";
import { TestPaymentProvider } from "../../src/lib/payments/test-provider";
import { payoutReference } from "../../src/lib/payments/provider";
import { queueMessage } from "../../src/lib/queue-messages";
import { fundEscrow, markContractSigned, openEscrow, parties, waitFor } from "./helpers";

let buyer: TestUser, seller: TestUser, outsider: TestUser, admin: TestUser;
beforeAll(async () => {
  ({ buyer, seller, outsider } = await parties());
  admin = await createUser({ role: "admin" });
});

const SECRET = { username: "shop-owner", password: "hunter2-TopSecret-pw", recoveryCodes: ["rc-9911-AAAA"] };
const post = (path: string, who: TestUser, body?: unknown) =>
  call("POST", `/api/v1${path}`, { token: who.accessToken, ...(body ? { body } : {}) });
const get = async (id: string) => (await call("GET", `/api/v1/escrows/${id}`, { token: admin.accessToken })).body.data;

async function fundedAndSigned() {
  const e = await openEscrow(buyer, seller);
  await fundEscrow(buyer, e.id);
  await markContractSigned(e.id);
  return e;
}

async function revealed() {
  const e = await fundedAndSigned();
  expect((await post(`/escrows/${e.id}/deliver`, seller, { credentials: SECRET })).status).toBe(200);
  expect((await post(`/escrows/${e.id}/reveal`, buyer)).status).toBe(200);
  return e;
}

describe("deliver and reveal (the vault)", () => {
  it("seller delivers; reveal waits for the signed contract; buyer reveals exactly once", async () => {
    const e = await openEscrow(buyer, seller);
    const early = await post(`/escrows/${e.id}/deliver`, seller, { credentials: SECRET });
    expect(early.status).toBe(409); // not funded yet
    await fundEscrow(buyer, e.id);

    expect((await post(`/escrows/${e.id}/deliver`, buyer, { credentials: SECRET })).body.error.code).toBe("AUTH003");
    expect((await post(`/escrows/${e.id}/deliver`, outsider, { credentials: SECRET })).status).toBe(404);
    expect((await post(`/escrows/${e.id}/deliver`, seller, { credentials: {} })).body.error.code).toBe("VAL001");
    expect((await post(`/escrows/${e.id}/deliver`, seller, { secret: 1 })).body.error.code).toBe("VAL001");
    const delivered = await post(`/escrows/${e.id}/deliver`, seller, { credentials: SECRET });
    expect(delivered.status).toBe(200);
    expect(delivered.body.data.deliveredAt).not.toBeNull();
    expect(JSON.stringify(delivered.body)).not.toContain("hunter2");

    const tooEarly = await post(`/escrows/${e.id}/reveal`, buyer);
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.error.code).toBe("RES002");
    await markContractSigned(e.id);
    expect((await post(`/escrows/${e.id}/reveal`, seller)).body.error.code).toBe("AUTH003");
    expect((await post(`/escrows/${e.id}/reveal`, outsider)).status).toBe(404);

    // Two simultaneous reveals: the room runs them one after the other → one success, one RES002.
    const [a, b] = await Promise.all([post(`/escrows/${e.id}/reveal`, buyer), post(`/escrows/${e.id}/reveal`, buyer)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(winner.body.data.credentials).toEqual(SECRET);
    expect(winner.body.data.escrow.status).toBe("credentials_released");
    expect(loser.body.error.code).toBe("RES002");
    expect(JSON.stringify(loser.body)).not.toContain("hunter2");

    const trail = await call("GET", `/api/v1/escrows/${e.id}/events`, { token: buyer.accessToken });
    const reveals = trail.body.data.filter((ev: any) => ev.type === "escrow.credentials_released");
    expect(reveals).toHaveLength(1);
    expect(reveals[0].actorId).toBe(buyer.user.id);
  });

  it("no credential is readable in D1, R2 or the object's storage", async () => {
    const e = await revealed();
    const needles = ["hunter2", "shop-owner", "rc-9911"];
    // D1: every table, every row.
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    for (const { name } of tables.results) {
      const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      const text = JSON.stringify(rows.results);
      for (const n of needles) expect(text, `D1 table ${name}`).not.toContain(n);
    }
    // R2: every object.
    const listed = await env.DOCUMENTS.list();
    for (const o of listed.objects) {
      const text = await (await env.DOCUMENTS.get(o.key))!.text();
      for (const n of needles) expect(text, `R2 ${o.key}`).not.toContain(n);
    }
    // The object's SQLite storage, every table raw.
    const stub = env.ESCROW_ROOM.get(env.ESCROW_ROOM.idFromName(e.id));
    const dump = await runInDurableObject(stub, (_o: EscrowRoom, state) => {
      const names = state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'",
        )
        .toArray();
      return names
        .map(({ name }) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()))
        .join("\n");
    });
    expect(dump).toContain("wrappedKey"); // the sealed record is there…
    for (const n of needles) expect(dump).not.toContain(n); // …and nothing of it is readable
  });
});

describe("confirm and payout", () => {
  it("buyer confirms → completed; the payout of sellerPayout is transferred once under our reference", async () => {
    const e = await revealed();
    expect((await post(`/escrows/${e.id}/confirm`, seller)).body.error.code).toBe("AUTH003");
    expect((await post(`/escrows/${e.id}/confirm`, outsider)).status).toBe(404);
    const done = await post(`/escrows/${e.id}/confirm`, buyer);
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ status: "completed", payout: { status: "queued" } });
    expect((await post(`/escrows/${e.id}/confirm`, buyer)).body.error.code).toBe("RES002");

    const sent = await waitFor(
      async () => ((await get(e.id)).payout.status === "sent" ? true : null),
      "payout sent",
      25_000,
    ); // the EVENTS → JOBS pipeline lags seconds behind on a loaded machine
    expect(sent).toBe(true);
    const transfers = (await new TestPaymentProvider(env).transfers()).filter(
      (t) => t.reference === payoutReference(e.id),
    );
    expect(transfers).toEqual([
      expect.objectContaining({ amount: e.sellerPayout, currency: "NGN", recipient: `RCP_test_${seller.user.id}` }),
    ]);

    // A redelivered escrow.completed (new message id) queues nothing that pays again.
    await deliver("escra-jobs", queueMessage("jobs", "escrow.payout", `again-${e.id}`, { escrowId: e.id }));
    expect(
      (await new TestPaymentProvider(env).transfers()).filter((t) => t.reference === payoutReference(e.id)),
    ).toHaveLength(1);
    const trail = (await call("GET", `/api/v1/escrows/${e.id}/events`, { token: buyer.accessToken })).body.data.map(
      (ev: any) => ev.type,
    );
    expect(trail.filter((t: string) => t === "escrow.payout_sent")).toHaveLength(1);
  });

  it("the inspection period's alarm completes the escrow when the buyer does nothing", async () => {
    const e = await revealed();
    const stub = env.ESCROW_ROOM.get(env.ESCROW_ROOM.idFromName(e.id));
    // The alarm is armed for the end of the inspection period (24 h from the reveal).
    const armedFor = await runInDurableObject(stub, (_o: EscrowRoom, state) => state.storage.getAlarm());
    const endsAt = Date.parse((await get(e.id)).inspectionEndsAt);
    expect(armedFor).not.toBeNull();
    expect(armedFor!).toBeLessThanOrEqual(endsAt);
    // An early wake-up changes nothing.
    await runDurableObjectAlarm(stub);
    expect((await get(e.id)).status).toBe("credentials_released");
    // Time travel: the period is over.
    await runInDurableObject(stub, (_o: EscrowRoom, state) => {
      const row = state.storage.sql.exec<{ state: string }>("SELECT state FROM aggregate_state").one();
      const s = JSON.parse(row.state);
      s.inspectionEndsAt = new Date(Date.now() - 1000).toISOString();
      state.storage.sql.exec("UPDATE aggregate_state SET state = ?", JSON.stringify(s));
      return state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await get(e.id);
    expect(after.status).toBe("completed");
    const trail = (await call("GET", `/api/v1/escrows/${e.id}/events`, { token: buyer.accessToken })).body.data;
    expect(trail.at(-1)).toMatchObject({ type: "escrow.completed", actorId: null });
  });
});

describe("disputes", () => {
  it("either party disputes with a reason; admin refunds → refunded and the provider refunds the charge", async () => {
    const e = await fundedAndSigned();
    expect((await post(`/escrows/${e.id}/dispute`, buyer, {})).body.error.code).toBe("VAL001");
    expect((await post(`/escrows/${e.id}/dispute`, outsider, { reason: "x" })).status).toBe(404);
    const d = await post(`/escrows/${e.id}/dispute`, seller, { reason: "buyer unresponsive" });
    expect(d.status).toBe(200);
    expect(d.body.data).toMatchObject({ status: "disputed", disputeReason: "buyer unresponsive" });
    expect((await post(`/escrows/${e.id}/dispute`, buyer, { reason: "again" })).body.error.code).toBe("RES002");

    expect((await post(`/admin/escrows/${e.id}/refund`, buyer, {})).body.error.code).toBe("AUTH003");
    const refunded = await post(`/admin/escrows/${e.id}/refund`, admin, { reason: "seller did not deliver" });
    expect(refunded.status).toBe(200);
    expect(refunded.body.data.status).toBe("refunded");
    await waitFor(async () => ((await get(e.id)).payment.status === "refunded" ? true : null), "provider refund");
    const charge = await new TestPaymentProvider(env).charge((await get(e.id)).payment.reference);
    expect(charge?.status).toBe("refunded");
    // The admin's act is audited once; the escrow's own events (in the audit log since issue 16.2) carry an event id.
    const audit = await env.DB.prepare("SELECT action FROM audit_logs WHERE resource_id = ? AND event_id IS NULL")
      .bind(e.id)
      .all();
    expect(audit.results).toEqual([{ action: "escrow.refund" }]);
    expect((await post(`/admin/escrows/${e.id}/release`, admin, {})).body.error.code).toBe("RES002");
  });

  it("admin releases a dispute → completed and the seller is paid", async () => {
    const e = await revealed();
    expect((await post(`/escrows/${e.id}/dispute`, buyer, { reason: "password wrong" })).status).toBe(200);
    expect((await post(`/admin/escrows/${e.id}/release`, seller, {})).body.error.code).toBe("AUTH003");
    expect((await post(`/admin/escrows/esc_nope/release`, admin, {})).status).toBe(400);
    const released = await post(`/admin/escrows/${e.id}/release`, admin, {});
    expect(released.status).toBe(200);
    expect(released.body.data.status).toBe("completed");
    await waitFor(
      async () => ((await get(e.id)).payout.status === "sent" ? true : null),
      "payout after release",
      25_000,
    );
    const types = (await call("GET", `/api/v1/escrows/${e.id}/events`, { token: seller.accessToken })).body.data.map(
      (ev: any) => ev.type,
    );
    expect(types).toEqual(
      expect.arrayContaining(["escrow.disputed", "escrow.released", "escrow.completed", "escrow.payout_sent"]),
    );
  });
});

describe("contract.activated consumer", () => {
  it("moves the funded escrow of that contract to contract_signed", async () => {
    const e = await openEscrow(buyer, seller);
    await fundEscrow(buyer, e.id);
    const msg = queueMessage("events", "contract.activated", `evt_test${Date.now()}`, {
      data: { contractId: e.contractId, status: "active" },
      actorId: null,
      subject: { type: "contract", id: e.contractId },
      audience: [],
      occurredAt: new Date().toISOString(),
    });
    const { result } = await deliver("escra-events", msg);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await get(e.id)).status).toBe("contract_signed");
  });
});

void escrowRoom;

// ContractRoom as single writer: parallel edits serialise without loss, a failed D1 projection is retried by the
// alarm until D1 catches up (and every event still goes out), and the audit chain verifies and exposes tampering.
import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { refuseWrites } from "../helpers/d1-outage";
import { verifyChain, type AuditEvent } from "../../src/domain/audit-chain";
import type { ContractRoom } from "../../durable-objects/contract-room";

let owner: Actor;
beforeAll(async () => {
  owner = await actor();
});

async function newContract(extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Supply agreement", type: "sale", body: "Terms.", ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

const stubOf = (id: string) => env.CONTRACT_ROOM.get(env.CONTRACT_ROOM.idFromName(id));

function outboxOf(id: string) {
  return runInDurableObject(stubOf(id), (_instance: ContractRoom, state) =>
    state.storage.sql
      .exec<{ id: number; channel: string; payload: string; attempts: number }>(
        "SELECT id, channel, payload, attempts FROM outbox ORDER BY id",
      )
      .toArray(),
  );
}

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("concurrent edits", () => {
  it("serialise: 30 parallel PATCHes all land, versions and audit seq are gapless", async () => {
    const id = await newContract();
    const n = 30;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { description: `edit ${i}` } }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(n).fill(200));
    const versionsSeen = results.map((r) => r.body.data.version).sort((a, b) => a - b);
    expect(versionsSeen).toEqual(Array.from({ length: n }, (_, i) => i + 2));

    const versions = (await call("GET", `/api/v1/contracts/${id}/versions`, { token: owner.token })).body.data;
    expect(versions.map((v: any) => v.version)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    // Every edit's text survives in exactly one version.
    expect(new Set(versions.slice(1).map((v: any) => v.description)).size).toBe(n);

    const audit = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body
      .data as AuditEvent[];
    expect(audit.map((e) => e.seq)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    expect(verifyChain(audit).valid).toBe(true);

    const row = await env.DB.prepare("SELECT version, revision FROM contracts WHERE id = ?").bind(id).first();
    expect(row).toEqual({ version: n + 1, revision: n + 1 });
    expect(await outboxOf(id)).toEqual([]);
  });
});

describe("a failing D1 projection", () => {
  it("keeps the change and its event in the outbox; the alarm catches D1 up and publishes every event", async () => {
    const id = await newContract();
    // The projection batch upserts the contract's row first; refusing that row fails the whole batch atomically, as
    // an outage would. Only this contract's row: other files' rooms share this database and keep projecting.
    const restore = await refuseWrites("contracts", "id", [id]);
    let pending;
    try {
      const edit = await call("PATCH", `/api/v1/contracts/${id}`, {
        token: owner.token,
        body: { title: "Edited during outage" },
      });
      expect(edit.status).toBe(200); // the room committed: the answer is durable
      expect(edit.body.data).toMatchObject({ version: 2, title: "Edited during outage" });
      const second = await call("PATCH", `/api/v1/contracts/${id}`, {
        token: owner.token,
        body: { title: "Edited twice" },
      });
      expect(second.body.data.version).toBe(3);

      const stale = await env.DB.prepare("SELECT title, version FROM contracts WHERE id = ?").bind(id).first();
      expect(stale).toEqual({ title: "Supply agreement", version: 1 });
      pending = await outboxOf(id);
      // Projection before its event, strictly in order; the head entry counted its failed attempts.
      expect(pending.map((e) => e.channel)).toEqual(["projection", "event", "projection", "event"]);
      expect(pending[0]!.attempts).toBeGreaterThanOrEqual(1);
      const alarmAt = await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => state.storage.getAlarm());
      expect(alarmAt).not.toBeNull();

      // Still down: the alarm fails again, keeps everything, and schedules another try further out (1 s · 2^(n−1)).
      expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
      const after = await outboxOf(id);
      expect(after.length).toBe(4);
      expect(after[0]!.attempts).toBe(pending[0]!.attempts + 1);
      const nextAt = await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => state.storage.getAlarm());
      expect(nextAt! - Date.now()).toBeGreaterThan(1_000 * 2 ** (after[0]!.attempts - 1) - 1_000);
    } finally {
      await restore();
    }

    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
    expect(await outboxOf(id)).toEqual([]);
    const caughtUp = await env.DB.prepare("SELECT title, version, revision FROM contracts WHERE id = ?")
      .bind(id)
      .first();
    expect(caughtUp).toEqual({ title: "Edited twice", version: 3, revision: 3 });
    const got = await call("GET", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(got.body.data).toMatchObject({ title: "Edited twice", version: 3 });

    // Both held-back events reached the EVENTS consumers, with the ids they were given at commit time.
    const eventIds = pending!.filter((e) => e.channel === "event").map((e) => JSON.parse(e.payload).id as string);
    expect(eventIds).toHaveLength(2);
    for (const eventId of eventIds) {
      await waitFor(() =>
        env.DB.prepare("SELECT consumer FROM event_consumptions WHERE event_id = ?").bind(eventId).first(),
      );
    }
    // Nothing is left for the alarm to do.
    expect(await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => state.storage.getAlarm())).toBeNull();
  });
});

describe("the shared alarm", () => {
  it("is never moved later or cleared by the aggregate (another deadline of the room survives)", async () => {
    const id = await newContract();
    const soon = Date.now() + 60_000;
    await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => state.storage.setAlarm(soon));
    expect(
      (await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { title: "Still on time" } })).status,
    ).toBe(200);
    expect(await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => state.storage.getAlarm())).toBe(soon);
  });
});

describe("a refused command", () => {
  it("leaves no trace: state, versions, audit and outbox are as before", async () => {
    const id = await newContract();
    await call("POST", "/api/v1/contracts/bulk", { token: owner.token, body: { action: "cancel", ids: [id] } });
    const snapshot = () =>
      runInDurableObject(stubOf(id), (_i: ContractRoom, state) => ({
        revision: state.storage.sql.exec("SELECT revision FROM aggregate_state").one().revision,
        audit: state.storage.sql.exec("SELECT count(*) AS n FROM audit_events").one().n,
        versions: state.storage.sql.exec("SELECT count(*) AS n FROM contract_versions").one().n,
        outbox: state.storage.sql.exec("SELECT count(*) AS n FROM outbox").one().n,
      }));
    const before = await snapshot();
    expect(before).toEqual({ revision: 2, audit: 2, versions: 1, outbox: 0 });
    const res = await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { title: "too late" } });
    expect(res.body.error?.code).toBe("RES002");
    expect(await snapshot()).toEqual(before);
  });
});

describe("GET /contracts/:id/audit", () => {
  it("returns a chain whose every hash recomputes, and a tampered row is detected", async () => {
    const id = await newContract({ signers: [{ email: "x@example.com", name: "X" }] });
    await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { body: "New terms." } });
    await call("POST", `/api/v1/contracts/${id}/signers`, {
      token: owner.token,
      body: { email: "y@example.com", name: "Y", order: 2 },
    });

    const res = await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token });
    expect(res.status).toBe(200);
    const chain = res.body.data as AuditEvent[];
    expect(chain.map((e) => [e.seq, e.type, e.actorId])).toEqual([
      [1, "contract.created", owner.userId],
      [2, "contract.updated", owner.userId],
      [3, "contract.updated", owner.userId],
    ]);
    expect(chain[2]!.data).toMatchObject({ contractId: id, change: "signer_added" });
    expect(verifyChain(chain)).toEqual({ valid: true, head: chain[2]!.hash });

    // Someone with storage access rewrites history: the chain no longer verifies, at that row.
    await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => {
      state.storage.sql.exec(
        "UPDATE audit_events SET data = ? WHERE seq = 2",
        JSON.stringify({ contractId: id, status: "draft", change: "forged" }),
      );
    });
    const tampered = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body
      .data as AuditEvent[];
    expect(verifyChain(tampered)).toMatchObject({ valid: false, seq: 2, reason: "hash mismatch" });
  });
});

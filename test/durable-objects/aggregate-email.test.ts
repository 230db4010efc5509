// The aggregate's email outbox channel: a room's emails are committed with its change and sent after it, an email
// that cannot go out waits in the outbox for the alarm, a drain retried after a send does not send again, and
// objects whose outbox predates the channel are migrated.
import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { refuseWrites } from "../helpers/d1-outage";
import { listEmails, waitForEmail } from "../helpers/mailbox";
import { Aggregate } from "../../durable-objects/lib/aggregate";
import type { ContractRoom } from "../../durable-objects/contract-room";
import { escalationEmail } from "../../durable-objects/contract-room/signing";
import type { ContractState, Signer } from "../../src/domain/contract-machine";
import { validateEmailRequest } from "../../src/lib/email";

let owner: Actor;
beforeAll(async () => {
  owner = await actor();
});

const stubOf = (id: string) => env.CONTRACT_ROOM.get(env.CONTRACT_ROOM.idFromName(id));

type Row = { id: number; channel: string; payload: string; attempts: number };
function outboxOf(id: string) {
  return runInDurableObject(stubOf(id), (_instance: ContractRoom, state) =>
    state.storage.sql.exec<Row>("SELECT id, channel, payload, attempts FROM outbox ORDER BY id").toArray(),
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

const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;

describe("signing emails through the outbox", () => {
  const first = unique("first");
  const second = unique("second");
  const viewer = unique("viewer");
  let contractId: string;
  let held: Row[] = [];

  it("a send whose emails cannot be recorded still answers 200; the alarm delivers exactly one email per party", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Outbox agreement",
        type: "supply",
        body: "Terms.",
        signers: [
          { email: first, name: "First", order: 1 },
          { email: second, name: "Second", order: 1 },
          { email: viewer, name: "Viewer", role: "viewer", order: 1 },
        ],
      },
    });
    expect(created.status).toBe(201);
    contractId = created.body.data.id as string;

    // sendEmail inserts into email_deliveries first: refusing these parties' rows fails every email of the send, as
    // an outage would, while other files' emails (same database, same workerd) keep going out.
    const restore = await refuseWrites("email_deliveries", "to", [first, second, viewer]);
    try {
      const sent = await call("POST", `/api/v1/contracts/${contractId}/send`, { token: owner.token, body: {} });
      expect(sent.status).toBe(200); // committed: the emails are the outbox's to deliver, not the client's problem
      expect(sent.body.data.status).toBe("pending");

      // The projection and the event went out; the three emails wait, in order, the first one counting attempts.
      held = await outboxOf(contractId);
      expect(held.map((e) => e.channel)).toEqual(["email", "email", "email"]);
      expect(held[0]!.attempts).toBeGreaterThanOrEqual(1);
      const requests = held.map((e) => JSON.parse(e.payload));
      expect(requests.map((r) => r.to)).toEqual([first, second, viewer]);
      expect(requests.map((r) => [r.template, r.data.kind, r.data.title])).toEqual([
        ["signing-request", "request", "Outbox agreement"],
        ["signing-request", "request", "Outbox agreement"],
        ["signing-request", "copy", "Outbox agreement"],
      ]);
      for (const r of requests) expect(r.id).toMatch(/^eml_[0-9A-Za-z]{20}$/);
      const row = await env.DB.prepare("SELECT status FROM contracts WHERE id = ?").bind(contractId).first();
      expect(row).toEqual({ status: "pending" });

      // Still down: the alarm tries again and keeps them.
      expect(await runDurableObjectAlarm(stubOf(contractId))).toBe(true);
      const after = await outboxOf(contractId);
      expect(after.map((e) => e.id)).toEqual(held.map((e) => e.id));
      expect(after[0]!.attempts).toBe(held[0]!.attempts + 1);
      expect(
        await runInDurableObject(stubOf(contractId), (_i: ContractRoom, state) => state.storage.getAlarm()),
      ).not.toBeNull();
    } finally {
      await restore();
    }
    expect(await listEmails(first)).toEqual([]);

    expect(await runDurableObjectAlarm(stubOf(contractId))).toBe(true);
    expect(await outboxOf(contractId)).toEqual([]);

    const request = await waitForEmail({ to: first, subject: 'asks you to sign "Outbox agreement"' });
    // The link (a button; in the text part, its URL) carries the token; the text never shows it on its own.
    expect(request.text).toContain(`/sign/${contractId}?token=`);
    expect(request.text).not.toMatch(/token[^=\n]*: /i);
    await waitForEmail({ to: second, subject: "asks you to sign" });
    const copy = await waitForEmail({ to: viewer, subject: "sent you a copy of" });
    expect(copy.text).toContain(`/sign/${contractId}?token=`);
    for (const to of [first, second, viewer]) expect(await listEmails(to)).toHaveLength(1);

    // Each delivery kept the id it was given at commit time.
    const ids = held.map((e) => JSON.parse(e.payload).id as string);
    const rows = await env.DB.prepare(`SELECT id, status FROM email_deliveries WHERE id IN (?, ?, ?) ORDER BY "to"`)
      .bind(...ids)
      .all<{ id: string; status: string }>();
    expect(rows.results.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it("a drain retried after the email was sent (crash before the entry was deleted) does not send it again", async () => {
    expect(held).toHaveLength(3);
    const ids = held.map((e) => JSON.parse(e.payload).id as string);
    await waitFor(async () => {
      const r = await env.DB.prepare(
        "SELECT count(*) AS n FROM email_deliveries WHERE id IN (?, ?, ?) AND status = 'sent'",
      )
        .bind(...ids)
        .first<{ n: number }>();
      return r?.n === 3;
    });
    const attemptsBefore = await env.DB.prepare(
      "SELECT id, attempts FROM email_deliveries WHERE id IN (?, ?, ?) ORDER BY id",
    )
      .bind(...ids)
      .all();

    // Put the delivered entries back, as if the object died between sendEmail and the outbox DELETE.
    await runInDurableObject(stubOf(contractId), async (_i: ContractRoom, state) => {
      for (const e of held) {
        state.storage.sql.exec(
          "INSERT INTO outbox (channel, payload, created_at) VALUES ('email', ?, ?)",
          e.payload,
          new Date().toISOString(),
        );
      }
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stubOf(contractId))).toBe(true);
    expect(await outboxOf(contractId)).toEqual([]);

    // Give a wrongly enqueued job time to run before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const to of [first, second, viewer]) expect(await listEmails(to)).toHaveLength(1);
    const attemptsAfter = await env.DB.prepare(
      "SELECT id, attempts FROM email_deliveries WHERE id IN (?, ?, ?) ORDER BY id",
    )
      .bind(...ids)
      .all();
    expect(attemptsAfter.results).toEqual(attemptsBefore.results);
  });

  it("the next routing step's signing request goes out through the outbox too", async () => {
    const signer = await actor();
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Two step agreement",
        type: "supply",
        body: "Terms.",
        signers: [
          { email: owner.email, name: "Owner", order: 1 },
          { email: signer.email, name: "Later", order: 2 },
        ],
      },
    });
    const id = created.body.data.id as string;
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
    const restore = await refuseWrites("email_deliveries", "to", [signer.email]);
    try {
      const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
        token: owner.token,
        body: { signature: { type: "typed", value: "Owner", font: "caveat" }, consent: true },
      });
      expect(signed.status).toBe(200);
      const pending = await outboxOf(id);
      expect(pending.map((e) => [e.channel, JSON.parse(e.payload).to])).toEqual([["email", signer.email]]);
    } finally {
      await restore();
    }
    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
    await waitForEmail({ to: signer.email, subject: 'asks you to sign "Two step agreement"' });
    expect(await outboxOf(id)).toEqual([]);
  });
});

describe("an outbox created before the email channel", () => {
  it("is rebuilt with its entries when the aggregate starts, and then takes emails", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Old room", type: "sale", body: "Terms." },
    });
    const id = created.body.data.id as string;
    const result = await runInDurableObject(stubOf(id), (_i: ContractRoom, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE outbox");
      sql.exec(`CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL CHECK (channel IN ('projection', 'event')),
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL)`);
      sql.exec(
        "INSERT INTO outbox (id, channel, payload, attempts, created_at) VALUES (7, 'projection', '[]', 2, 'then')",
      );
      expect(() =>
        sql.exec("INSERT INTO outbox (channel, payload, created_at) VALUES ('email', '{}', 'now')"),
      ).toThrow();

      new Aggregate(state, env, { subjectType: "contract" });
      const kept = sql.exec("SELECT id, channel, payload, attempts, created_at FROM outbox").toArray();
      sql.exec("INSERT INTO outbox (channel, payload, created_at) VALUES ('email', '{}', 'now')");
      const ids = sql
        .exec<{ id: number }>("SELECT id FROM outbox ORDER BY id")
        .toArray()
        .map((r) => r.id);
      sql.exec("DELETE FROM outbox");
      // A second start finds the current definition and leaves the table alone.
      new Aggregate(state, env, { subjectType: "contract" });
      return { kept, ids };
    });
    expect(result.kept).toEqual([{ id: 7, channel: "projection", payload: "[]", attempts: 2, created_at: "then" }]);
    expect(result.ids).toEqual([7, 8]);
  });
});

describe("escalation email", () => {
  const state = { id: "ctr_x", title: "Big deal", ownerId: "usr_o" } as ContractState;
  const parties = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => ({ id: `sig_${i}`, name: `P${i}`, email: `p${i}@example.com`, role: "signer" }) as Signer,
    );

  it("lists every blocking party while they fit the notice, and says how many more when they do not", () => {
    const few = escalationEmail(env, state, "owner@example.com", parties(19));
    expect(few.data.lines).toHaveLength(20);
    expect(few.data.lines![19]).toBe("P18 <p18@example.com> (signer)");
    const many = escalationEmail(env, state, "owner@example.com", parties(50));
    expect(() => validateEmailRequest(many)).not.toThrow();
    expect(many.data.lines).toHaveLength(20);
    expect(many.data.lines!.at(-1)).toBe("…and 32 more");
    expect(many.data.subject).toBe('"Big deal" is waiting on 50 parties');
  });
});

// The single-writer aggregate mechanism shared by ContractRoom and EscrowRoom: state, hash-chained audit trail
// and outbox in the object's SQLite storage, written in one transaction per command; the outbox (D1 projection
// statements, domain events and emails) is drained before answering and retried by the object's alarm until it succeeds.
//
// Use from a Durable Object: construct `new Aggregate<State>(ctx, env, { subjectType })` in the constructor,
// call `aggregate.alarm()` from the object's `alarm()` every time it fires (the alarm is shared: the aggregate only
// ever arms it "no later than" its own retry time and never clears it, so an early wake-up is the worst case), and run every change as
// `aggregate.execute(id, actorId, (current, ctx) => ({ state, events, projection, emails?, result }))` where the callback
// is synchronous and pure apart from ctx.sql writes to the room's own tables; throwing (e.g. an ApiError from the
// domain state machine) rolls the whole command back.
import type { Bindings } from "../../src/env";
import { disclose, nextAuditEvent, sealPersonal, type AuditEvent } from "../../src/domain/audit-chain";
import { isEventType, type AuditEventType, type EventSubject, type EventType } from "../../src/domain/events";
import { sendEmail, validateEmailRequest, type EmailRequest } from "../../src/lib/email";
import { buildEventMessage } from "../../src/lib/events";
import { newId } from "../../src/lib/ids";
import type { QueueMessage } from "../../src/lib/queue-messages";
import { log } from "../../src/lib/request-context";
import { armAlarmNoLaterThan } from "./alarm";

/** One idempotent D1 statement (an upsert or delete), as produced by drizzle's `.toSQL()`. */
export interface ProjectionStatement {
  sql: string;
  params: unknown[];
}

/** An event a command records: always audited; published to EVENTS unless `publish` is false. */
export interface AggregateEvent {
  /** A catalog name (domain/events.ts): a published event, or an audit-only one (then `publish` is false). */
  type: AuditEventType;
  data: Record<string, unknown>;
  publish?: boolean;
  audience?: string[];
}

/** What a command decided: the new state, its events, the D1 writes that project it, its emails, and what to answer. */
export interface Decision<S, R> {
  state: S;
  events: AggregateEvent[];
  projection: ProjectionStatement[];
  /** Sent through sendEmail once the command committed (after its projection and events), retried like them. */
  emails?: EmailRequest[];
  result: R;
}

export interface CommandContext {
  now: string;
  actorId: string | null;
  /** The revision this command will create (1 for the first); projections record it. */
  revision: number;
  /** For a room's own tables (e.g. contract versions), inside the same transaction. */
  sql: SqlStorage;
}

export type Command<S, R> = (current: S | null, ctx: CommandContext) => Decision<S, R>;

export type OutboxChannel = "projection" | "event" | "email";

export interface OutboxEntry {
  id: number;
  channel: OutboxChannel;
  payload: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

export interface AggregateOptions {
  subjectType: EventSubject["type"];
  /** Extra DDL of the room's own tables, run once per object start. */
  schema?: readonly string[];
  /** Retry delays grow as base · 2^attempts, capped (ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

const BASE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS aggregate_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     aggregate_id TEXT NOT NULL,
     state TEXT NOT NULL,
     revision INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS audit_events (
     seq INTEGER PRIMARY KEY,
     type TEXT NOT NULL,
     actor_id TEXT,
     at TEXT NOT NULL,
     data TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL)`,
  // Personal values of audit events, outside the chain (which hashed salted commitments of them): erasure deletes
  // rows here and the chain still verifies. See src/domain/audit-chain.ts.
  `CREATE TABLE IF NOT EXISTS audit_disclosures (
     seq INTEGER NOT NULL,
     field TEXT NOT NULL,
     value TEXT NOT NULL,
     salt TEXT NOT NULL,
     PRIMARY KEY (seq, field))`,
  outboxTable("outbox"),
];

const newSalt = () =>
  [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

function outboxTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     channel TEXT NOT NULL CHECK (channel IN ('projection', 'event', 'email')),
     payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_at TEXT NOT NULL)`;
}

/**
 * Objects created before the email channel have an outbox whose CHECK refuses 'email' (CREATE TABLE IF NOT EXISTS
 * keeps the old table): rebuild it with the current definition, keeping its entries, their ids and order.
 */
function migrateOutbox(storage: DurableObjectStorage): void {
  const table = storage.sql
    .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'")
    .toArray()[0];
  if (!table || table.sql.includes("'email'")) return;
  storage.transactionSync(() => {
    storage.sql.exec(outboxTable("outbox_next"));
    storage.sql.exec(
      `INSERT INTO outbox_next (id, channel, payload, attempts, last_error, created_at)
       SELECT id, channel, payload, attempts, last_error, created_at FROM outbox`,
    );
    storage.sql.exec("DROP TABLE outbox");
    storage.sql.exec("ALTER TABLE outbox_next RENAME TO outbox");
  });
}

/** At most this many outbox entries go out per D1 batch / queue batch (queues take ≤ 100 per sendBatch). */
const DRAIN_CHUNK = 50;

export class Aggregate<S> {
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Bindings,
    private readonly options: AggregateOptions,
  ) {
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
    for (const ddl of [...BASE_SCHEMA, ...(options.schema ?? [])]) ctx.storage.sql.exec(ddl);
    migrateOutbox(ctx.storage);
  }

  get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  load(): S | null {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM aggregate_state WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.state) as S) : null;
  }

  revision(): number {
    const row = this.sql.exec<{ revision: number }>("SELECT revision FROM aggregate_state WHERE id = 1").toArray()[0];
    return row?.revision ?? 0;
  }

  /**
   * Runs a command as one storage transaction (decide → state, audit events, outbox), then drains the outbox.
   * A command that throws leaves storage untouched. The answer is durable even when the drain fails: what did
   * not go out stays in the outbox for the alarm.
   */
  async execute<R>(aggregateId: string, actorId: string | null, command: Command<S, R>): Promise<R> {
    const result = this.ctx.storage.transactionSync(() => {
      const now = new Date().toISOString();
      const revision = this.revision() + 1;
      const decision = command(this.load(), { now, actorId, revision, sql: this.sql });
      this.sql.exec(
        `INSERT INTO aggregate_state (id, aggregate_id, state, revision) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, revision = excluded.revision`,
        aggregateId,
        JSON.stringify(decision.state),
        revision,
      );
      if (decision.projection.length > 0) {
        this.appendOutbox("projection", JSON.stringify(decision.projection), now);
      }
      let head = this.head();
      for (const event of decision.events) {
        const sealed = sealPersonal(event.data, newSalt);
        const audited = nextAuditEvent(head, { type: event.type, actorId, at: now, data: sealed.data });
        for (const d of sealed.disclosures) {
          this.sql.exec(
            "INSERT INTO audit_disclosures (seq, field, value, salt) VALUES (?, ?, ?, ?)",
            audited.seq,
            d.field,
            JSON.stringify(d.value),
            d.salt,
          );
        }
        this.sql.exec(
          "INSERT INTO audit_events (seq, type, actor_id, at, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
          audited.seq,
          audited.type,
          audited.actorId,
          audited.at,
          JSON.stringify(audited.data),
          audited.prevHash,
          audited.hash,
        );
        head = audited;
        if (event.publish === false) continue;
        if (!isEventType(event.type)) throw new Error(`event ${event.type} is not in the catalog`);
        // Built (and validated against the catalog) now, so its id is stable across retries and a bad event
        // aborts the command instead of failing forever in the outbox.
        const message = buildEventMessage({
          type: event.type as EventType,
          data: event.data as never,
          actorId,
          subject: { type: this.options.subjectType, id: aggregateId },
          audience: event.audience ?? [],
        });
        this.appendOutbox(
          "event",
          JSON.stringify({ ...message, payload: { ...message.payload, occurredAt: now, auditSeq: audited.seq } }),
          now,
        );
      }
      // After the events: a mail outage holds back only what comes after it. Validated now (a bad email aborts the
      // command rather than failing forever in the outbox); the delivery id is fixed now, so a drain retried after
      // sendEmail succeeded but before the entry was deleted finds the delivery recorded and does not send it twice.
      for (const email of decision.emails ?? []) {
        validateEmailRequest(email);
        this.appendOutbox("email", JSON.stringify({ ...email, id: email.id ?? newId("eml") }), now);
      }
      return decision.result;
    });
    // A safety net set before the first delivery attempt: if the object dies mid-drain, the alarm resumes it. It is
    // left in place after a successful drain: clearing it could drop a later deadline another user of the alarm set.
    await armAlarmNoLaterThan(this.ctx.storage, Date.now() + this.retryMaxMs);
    await this.drainOrSchedule();
    return result;
  }

  /** Every audit event, oldest first, personal fields disclosed unless erased (see AuditEvent.disclosures). */
  auditTrail(): AuditEvent[] {
    const disclosures = new Map<number, { field: string; value: unknown; salt: string }[]>();
    for (const d of this.sql.exec<{ seq: number; field: string; value: string; salt: string }>(
      "SELECT seq, field, value, salt FROM audit_disclosures",
    )) {
      disclosures.set(d.seq, [
        ...(disclosures.get(d.seq) ?? []),
        { field: d.field, value: JSON.parse(d.value), salt: d.salt },
      ]);
    }
    return this.sql
      .exec<{
        seq: number;
        type: string;
        actor_id: string | null;
        at: string;
        data: string;
        prev_hash: string;
        hash: string;
      }>("SELECT seq, type, actor_id, at, data, prev_hash, hash FROM audit_events ORDER BY seq")
      .toArray()
      .map((r) =>
        disclose(
          {
            seq: r.seq,
            type: r.type,
            actorId: r.actor_id,
            at: r.at,
            data: JSON.parse(r.data),
            prevHash: r.prev_hash,
            hash: r.hash,
          },
          disclosures.get(r.seq) ?? [],
        ),
      );
  }

  /**
   * Erasure: drops every audit disclosure whose (JSON) value `names` says names the person, so those fields show
   * only their commitments from now on; the chain is unchanged and still verifies. Also runs inside a command.
   * @returns how many disclosures were dropped
   */
  forgetPersonal(names: (json: string) => boolean): number {
    const rows = this.sql
      .exec<{ seq: number; field: string; value: string }>("SELECT seq, field, value FROM audit_disclosures")
      .toArray();
    let dropped = 0;
    for (const r of rows) {
      if (!names(r.value)) continue;
      this.sql.exec("DELETE FROM audit_disclosures WHERE seq = ? AND field = ?", r.seq, r.field);
      dropped += 1;
    }
    return dropped;
  }

  pendingOutbox(): OutboxEntry[] {
    return this.sql
      .exec<{
        id: number;
        channel: OutboxChannel;
        payload: string;
        attempts: number;
        last_error: string | null;
        created_at: string;
      }>("SELECT id, channel, payload, attempts, last_error, created_at FROM outbox ORDER BY id")
      .toArray()
      .map((r) => ({
        id: r.id,
        channel: r.channel,
        payload: r.payload,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at,
      }));
  }

  /** The object's alarm handler calls this on every wake-up: retry the outbox, and come back if it is still not empty. */
  async alarm(): Promise<void> {
    await this.drainOrSchedule();
  }

  private head(): { seq: number; hash: string } | null {
    return (
      this.sql
        .exec<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .toArray()[0] ?? null
    );
  }

  private appendOutbox(channel: OutboxChannel, payload: string, now: string) {
    this.sql.exec("INSERT INTO outbox (channel, payload, created_at) VALUES (?, ?, ?)", channel, payload, now);
  }

  private async drainOrSchedule(): Promise<void> {
    await this.drain();
    const left = this.pendingOutbox();
    if (left.length === 0) return;
    const attempts = left[0]!.attempts;
    const delay = Math.min(this.retryBaseMs * 2 ** Math.max(0, attempts - 1), this.retryMaxMs);
    await armAlarmNoLaterThan(this.ctx.storage, Date.now() + delay);
  }

  /**
   * One drain at a time per object: a command committed while a drain is running asks it to go round once
   * more and waits for the same promise, so entries leave strictly in order (projection before the event
   * that announces it) and a slow D1 write is never overtaken by a later one.
   */
  private drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.drainAgain = false;
          await this.drainOnce();
        } while (this.drainAgain);
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  /**
   * Sends pending entries in order, a run of same-channel entries per call (emails one at a time, so one that
   * fails does not send its neighbours again); stops at the first failure.
   */
  private async drainOnce(): Promise<void> {
    for (;;) {
      const pending = this.pendingOutbox();
      if (pending.length === 0) return;
      const channel = pending[0]!.channel;
      const limit = channel === "email" ? 1 : DRAIN_CHUNK;
      const run: OutboxEntry[] = [];
      for (const entry of pending) {
        if (entry.channel !== channel || run.length >= limit) break;
        run.push(entry);
      }
      try {
        if (channel === "projection") await this.project(run);
        else if (channel === "event") await this.publish(run);
        else await this.mail(run);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log("warn", "aggregate outbox delivery failed; the alarm will retry", {
          channel,
          entries: run.length,
          error: message,
        });
        this.sql.exec(
          `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN (${run.map(() => "?").join(",")})`,
          message.slice(0, 500),
          ...run.map((e) => e.id),
        );
        return;
      }
      this.sql.exec(`DELETE FROM outbox WHERE id IN (${run.map(() => "?").join(",")})`, ...run.map((e) => e.id));
    }
  }

  /** All statements of the run in one D1 batch: the projection moves from one committed state to a later one. */
  private async project(run: OutboxEntry[]) {
    const statements = run.flatMap((entry) => JSON.parse(entry.payload) as ProjectionStatement[]);
    await this.env.DB.batch(statements.map((s) => this.env.DB.prepare(s.sql).bind(...s.params)));
  }

  /**
   * The messages were built by buildEventMessage (lib/events) at commit time; sending the stored message keeps
   * its event id stable across retries, so consumers can drop a redelivery.
   */
  private async publish(run: OutboxEntry[]) {
    const messages = run.map((entry) => JSON.parse(entry.payload) as QueueMessage);
    await this.env.EVENTS.sendBatch(messages.map((body) => ({ body })));
  }

  /** Each stored request carries the delivery id fixed at commit time: sendEmail records and enqueues it at most once. */
  private async mail(run: OutboxEntry[]) {
    for (const entry of run) await sendEmail(this.env, JSON.parse(entry.payload) as EmailRequest);
  }
}

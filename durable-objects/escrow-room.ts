// EscrowRoom: the single writer of one escrow (idFromName(escrowId)): funding, contract signed, delivery into the
// vault, reveal (exactly once: commands run one at a time in the object), confirm, dispute, resolution, payout
// bookkeeping and the inspection-period alarm; plus the escrow's live room on the shared hub.
import type { Bindings, Principal } from "../src/env";
import { fail } from "../src/lib/errors";
import type { AuditEvent } from "../src/domain/audit-chain";
import * as machine from "../src/domain/escrow-machine";
import type { EscrowActor, EscrowEventType, EscrowState, NewEscrow, Transition } from "../src/domain/escrow-machine";
import { escrowProjection } from "../src/db/escrows";
import type { SealedRecord } from "../src/lib/vault";
import { Aggregate, type AggregateEvent, type CommandContext } from "./lib/aggregate";
import { armAlarmNoLaterThan } from "./lib/alarm";
import { LiveHub } from "./lib/hub";
import { LiveObject } from "./lib/live-object";
import { LIVE_PATH } from "./lib/live-path";
import { rpcResult, type RpcResult } from "./lib/rpc-result";

const ROOM_SCHEMA = [
  // The seller's delivery, sealed by the Worker (lib/vault) before it gets here: never plaintext at rest.
  `CREATE TABLE IF NOT EXISTS vault (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     record TEXT NOT NULL,
     stored_at TEXT NOT NULL)`,
];

/** Who is acting, as the route established it (the room decides their role on this escrow). */
export interface Caller {
  userId: string;
  isAdmin: boolean;
}

export type PaymentOutcome = "funded" | "flagged" | "ignored";

export class EscrowRoom extends LiveObject {
  private readonly aggregate: Aggregate<EscrowState>;
  protected readonly hub: LiveHub;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.aggregate = new Aggregate<EscrowState>(ctx, env, { subjectType: "escrow", schema: ROOM_SCHEMA });
    this.hub = new LiveHub(ctx, env, { authorize: (p) => this.permissionsOf(p) });
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "EscrowRoom" });
    if (url.pathname === LIVE_PATH) return this.hub.connect(request);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  /** One alarm, three users: the outbox retry, the hub's deadlines, and the inspection period. */
  override async alarm(): Promise<void> {
    await this.aggregate.alarm();
    await this.hub.alarm();
    const state = this.aggregate.load();
    if (state) {
      const now = new Date().toISOString();
      if (machine.autoComplete(state, now)) {
        await this.mutate(null, (s, at) => machine.autoComplete(s, at) ?? { state: s, events: [] });
      }
    }
    await this.rearm();
  }

  async get(): Promise<EscrowState | null> {
    return this.aggregate.load();
  }

  async auditTrail(): Promise<AuditEvent[]> {
    return this.aggregate.auditTrail();
  }

  create(input: NewEscrow): Promise<RpcResult<EscrowState>> {
    return rpcResult(async () => {
      const events: EscrowEventType[] = ["escrow.created"];
      let created: EscrowState | null = null;
      await this.aggregate.execute(input.id, input.buyerId, (current, ctx) => {
        if (current) throw fail.conflict("Escrow already exists");
        created = machine.createEscrow(input, ctx.now);
        return this.decide(ctx, created, events);
      });
      this.broadcast(created!, events);
      return created!;
    });
  }

  /** The buyer started a checkout with the provider under `reference`. */
  startPayment(caller: Caller, provider: string, reference: string): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => ({
      state: machine.initializePayment(s, this.actor(s, caller), provider, reference, now),
      events: [],
    }));
  }

  /**
   * A verified provider charge for `reference`. Only the reference we issued last counts; amount and currency
   * must match (else flagged). Anything already settled is ignored, so a late or repeated charge is harmless.
   */
  paymentReceived(paid: { reference: string; amount: number; currency: string }): Promise<RpcResult<PaymentOutcome>> {
    return rpcResult(async () => {
      const s = this.aggregate.load();
      if (!s) throw fail.notFound("Escrow");
      if (s.status !== "pending" || s.payment.reference !== paid.reference) return "ignored" as const;
      const next = await this.mutate(null, (cur, now) => {
        if (cur.status !== "pending" || cur.payment.reference !== paid.reference) return { state: cur, events: [] };
        return machine.fund(cur, paid, now);
      }, (cur, t) => (t.state.payment.status === "flagged" && cur.payment.status !== "flagged"
        ? [{ type: "escrow.payment_flagged", data: { escrowId: cur.id, status: cur.status, reason: t.state.payment.flagReason }, publish: false }]
        : []));
      return next.payment.status === "flagged" ? ("flagged" as const) : ("funded" as const);
    });
  }

  /** The escrow contract became active (the EVENTS consumer of contract.activated calls this). */
  contractActivated(): Promise<RpcResult<EscrowState>> {
    return this.command(null, (s, now) => (s.contractActivatedAt && s.status !== "funds_held" ? { state: s, events: [] } : machine.contractSigned(s, now)));
  }

  /** Stores the seller's sealed delivery (lib/vault sealed it; the room never sees plaintext). */
  deliver(caller: Caller, record: SealedRecord): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now, ctx) => {
      const t = machine.deliver(s, this.actor(s, caller), now);
      ctx.sql.exec("INSERT INTO vault (id, record, stored_at) VALUES (1, ?, ?)", JSON.stringify(record), now);
      return t;
    });
  }

  /** Exactly once: marks credentials_released and hands the sealed record out in the same command. */
  reveal(caller: Caller): Promise<RpcResult<{ escrow: EscrowState; record: SealedRecord }>> {
    return rpcResult(async () => {
      let record: SealedRecord | null = null;
      const escrow = await this.mutate(caller.userId, (s, now, ctx) => {
        const t = machine.reveal(s, this.actor(s, caller), now);
        const row = ctx.sql.exec<{ record: string }>("SELECT record FROM vault WHERE id = 1").toArray()[0];
        if (!row) throw fail.conflict("Nothing was delivered");
        record = JSON.parse(row.record) as SealedRecord;
        return t;
      });
      return { escrow, record: record! };
    });
  }

  confirm(caller: Caller): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => machine.confirm(s, this.actor(s, caller), now));
  }

  dispute(caller: Caller, reason: string): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => machine.dispute(s, this.actor(s, caller), reason, now), { reason });
  }

  release(caller: Caller): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => machine.release(s, this.actor(s, caller), now));
  }

  refund(caller: Caller, reason: string | null): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => machine.refund(s, this.actor(s, caller), now), reason ? { reason } : {});
  }

  /** The payout job is about to ask the provider for a transfer under `reference` (audited before the call). */
  payoutRequested(reference: string): Promise<RpcResult<EscrowState>> {
    return rpcResult(() =>
      this.mutate(null, (s, now) => ({ state: machine.payoutRequested(s, reference, now), events: [] }), (s) => [
        { type: "escrow.payout_requested", data: { escrowId: s.id, status: s.status, reference, amount: s.sellerPayout, currency: s.currency }, publish: false },
      ]),
    );
  }

  payoutSettled(outcome: "sent" | "failed" | "reversed", reason: string | null): Promise<RpcResult<EscrowState>> {
    return this.command(null, (s, now) => machine.payoutSettled(s, outcome, reason, now) ?? { state: s, events: [] }, reason ? { reason } : {});
  }

  refundSettled(succeeded: boolean): Promise<RpcResult<EscrowState>> {
    return this.command(null, (s, now) => ({ state: machine.refundSettled(s, succeeded, now), events: [] }));
  }

  /** The raw sealed record (rotation and tests); null before delivery. */
  async sealedRecord(): Promise<SealedRecord | null> {
    const row = this.ctx.storage.sql.exec<{ record: string }>("SELECT record FROM vault WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.record) as SealedRecord) : null;
  }

  /** Key rotation: replaces the wrapped data key (ciphertext untouched); audited without any key material. */
  replaceSealedRecord(record: SealedRecord): Promise<RpcResult<EscrowState>> {
    return rpcResult(() =>
      this.mutate(null, (s, now, ctx) => {
        ctx.sql.exec("UPDATE vault SET record = ? WHERE id = 1", JSON.stringify(record));
        return { state: { ...s, updatedAt: now }, events: [] };
      }, (s) => [{ type: "escrow.vault_rewrapped", data: { escrowId: s.id, status: s.status, kekId: record.kekId }, publish: false }]),
    );
  }

  private actor(s: EscrowState, caller: Caller): EscrowActor {
    const actor = machine.actorOf(s, caller.userId, caller.isAdmin);
    // Someone who is neither party nor admin does not learn the escrow exists.
    if (!actor) throw fail.notFound("Escrow");
    return actor;
  }

  private command(
    actorId: string | null,
    step: (s: EscrowState, now: string, ctx: CommandContext) => Transition,
    extra: Record<string, unknown> = {},
  ): Promise<RpcResult<EscrowState>> {
    return rpcResult(() => this.mutate(actorId, step, undefined, extra));
  }

  /** Runs one transition through the aggregate, then announces its events on the room's sockets. */
  private async mutate(
    actorId: string | null,
    step: (s: EscrowState, now: string, ctx: CommandContext) => Transition,
    auditOnly?: (before: EscrowState, t: Transition) => AggregateEvent[],
    extra: Record<string, unknown> = {},
  ): Promise<EscrowState> {
    const id = this.aggregate.load()?.id;
    if (!id) throw fail.notFound("Escrow");
    let outcome: Transition | null = null;
    await this.aggregate.execute(id, actorId, (current, ctx) => {
      if (!current) throw fail.notFound("Escrow");
      outcome = step(current, ctx.now, ctx);
      const decision = this.decide(ctx, outcome.state, outcome.events, extra);
      return { ...decision, events: [...decision.events, ...(auditOnly?.(current, outcome) ?? [])] };
    });
    const t = outcome as Transition | null;
    this.broadcast(t!.state, t!.events, extra);
    await this.rearm();
    return t!.state;
  }

  private decide(ctx: CommandContext, state: EscrowState, types: readonly EscrowEventType[], extra: Record<string, unknown> = {}) {
    return {
      state,
      events: types.map((type): AggregateEvent => ({ type, data: eventData(state, extra), audience: [state.buyerId, state.sellerId] })),
      projection: escrowProjection(this.env.DB, state, ctx.revision),
      result: state,
    };
  }

  private broadcast(state: EscrowState, types: readonly EscrowEventType[], extra: Record<string, unknown> = {}) {
    for (const type of types) this.hub.publish(type, eventData(state, extra));
  }

  /** The aggregate clears the alarm once its outbox is empty, so the inspection deadline and the hub re-arm after. */
  private async rearm(): Promise<void> {
    const state = this.aggregate.load();
    if (state?.status === "credentials_released" && state.inspectionEndsAt) {
      await armAlarmNoLaterThan(this.ctx.storage, Date.parse(state.inspectionEndsAt));
    }
    const hubNext = this.hub.nextAlarm();
    if (hubNext !== null) await armAlarmNoLaterThan(this.ctx.storage, hubNext);
  }

  private permissionsOf(p: Principal): string[] | null {
    const s = this.aggregate.load();
    if (!s) return null;
    const actor = machine.actorOf(s, p.userId, p.role === "admin" || p.role === "super_admin");
    return actor ? ["read", actor] : null;
  }
}

function eventData(s: EscrowState, extra: Record<string, unknown>): Record<string, unknown> {
  return { escrowId: s.id, status: s.status, amount: s.amount, currency: s.currency, listingId: s.listingId, contractId: s.contractId, ...extra };
}

/** The room's RPC surface (its public methods), typed by the class' own signatures. */
export type EscrowRoomApi = Pick<EscrowRoom, Exclude<keyof EscrowRoom, keyof LiveObject | "fetch" | "alarm">>;

export function escrowRoom(env: Bindings, escrowId: string): EscrowRoomApi {
  return env.ESCROW_ROOM.get(env.ESCROW_ROOM.idFromName(escrowId)) as unknown as EscrowRoomApi;
}

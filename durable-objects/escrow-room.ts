// EscrowRoom: the single writer of one escrow (idFromName(escrowId)): funding, contract signed, delivery into the
// vault, reveal (exactly once: commands run one at a time in the object), confirm, dispute, resolution, cancel,
// every provider event (charges, refunds, transfers; forward only), and the deadlines (reservation expiry,
// inspection period) checked at every command and by the alarm; plus the escrow's live room on the shared hub.
import { correlatedStub } from "./lib/correlated";
import type { Bindings, Principal } from "../src/env";
import { fail } from "../src/lib/errors";
import type { AuditEvent } from "../src/domain/audit-chain";
import * as machine from "../src/domain/escrow-machine";
import type { ChargeRecord, EscrowActor, EscrowState, NewEscrow, Transition } from "../src/domain/escrow-machine";
import * as payments from "../src/domain/payment-machine";
import type { ProviderOutcome } from "../src/domain/payment-machine";
import { escrowProjection, unmatchedPaymentsProjection } from "../src/db/escrows";
import { newId } from "../src/lib/ids";
import type { SealedRecord } from "../src/lib/vault";
import { Aggregate, type AggregateEvent, type CommandContext } from "./lib/aggregate";
import { armAlarmNoLaterThan } from "./lib/alarm";
import { LiveHub } from "./lib/hub";
import { LiveObject } from "./lib/live-object";
import { LIVE_PATH } from "./lib/live-path";
import { rpcResult, type RpcResult } from "./lib/rpc-result";
import { isAdmin } from "../src/domain/scopes";
import { redactJsonText, redactText, type PartyPseudonym } from "../src/domain/party-erasure";

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

export type { ProviderOutcome };

export class EscrowRoom extends LiveObject {
  private readonly aggregate: Aggregate<EscrowState>;
  protected readonly hub: LiveHub;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.aggregate = new Aggregate<EscrowState>(ctx, env, { subjectType: "escrow", schema: ROOM_SCHEMA });
    this.hub = new LiveHub(ctx, env, {
      authorize: (p) => this.permissionsOf(p),
      room: { kind: "escrow", name: ctx.id.name },
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "EscrowRoom" });
    if (url.pathname === LIVE_PATH) return this.hub.connect(request);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  /** One alarm, several users: the outbox retry, the hub's deadlines, the reservation expiry and the inspection period. */
  override async alarm(): Promise<void> {
    await this.aggregate.alarm();
    await this.hub.alarm();
    await this.settleDue();
    await this.rearm();
  }

  async get(): Promise<EscrowState | null> {
    return this.load();
  }

  async auditTrail(): Promise<AuditEvent[]> {
    return this.aggregate.auditTrail();
  }

  create(input: NewEscrow): Promise<RpcResult<EscrowState>> {
    return rpcResult(async () => {
      let created: Transition | null = null;
      await this.aggregate.execute(input.id, input.buyerId, (current, ctx) => {
        if (current) throw fail.conflict("Escrow already exists");
        created = { state: machine.createEscrow(input, ctx.now), events: ["escrow.created"] };
        return this.decide(ctx, created);
      });
      const t = created as Transition | null;
      this.broadcast(t!);
      await this.rearm();
      return t!.state;
    });
  }

  /**
   * Account erasure of a party (buyer or seller): text naming them (the description) is redacted in the state and
   * the held live events, and the audit trail forgets its disclosures of them (the chain still verifies). Parties
   * stay as pseudonymous user ids, and payment records (charges, payout recipient code) stay: a payment record is
   * kept for its legal retention period. The audit note records only that it happened.
   */
  eraseParty(actorId: string, party: PartyPseudonym): Promise<RpcResult<EscrowState>> {
    const redact = (text: string) => redactText(text, party, party.names ?? []);
    return rpcResult(() =>
      this.mutate(actorId, (s, now) => {
        this.hub.rewriteHeldEvents((json) => redactJsonText(json, redact));
        const forgotten = this.aggregate.forgetPersonal((json) => redactJsonText(json, redact) !== json);
        const description = redact(s.description);
        if (description === s.description && forgotten === 0) return { state: s, events: [] };
        return {
          state: { ...s, description, updatedAt: now },
          events: [],
          notes: [{ type: "escrow.party_erased", data: { escrowId: s.id, auditDisclosuresErased: forgotten } }],
        };
      }),
    );
  }

  /** A retried checkout: the open reference and URL while still offered, else null (the caller starts a new one). */
  openCheckout(caller: Caller): Promise<RpcResult<{ reference: string; authorizationUrl: string } | null>> {
    return rpcResult(async () => {
      await this.settleDue();
      const s = this.load();
      if (!s) throw fail.notFound("Escrow");
      return machine.openCheckout(s, this.actor(s, caller), new Date().toISOString());
    });
  }

  /** The buyer started a checkout with the provider under `reference` (offered again to a retry for a while). */
  startPayment(
    caller: Caller,
    provider: string,
    reference: string,
    authorizationUrl: string | null = null,
  ): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => ({
      state: machine.initializePayment(s, this.actor(s, caller), provider, reference, now, authorizationUrl),
      events: [],
    }));
  }

  /**
   * A verified provider charge for a reference naming this escrow. It funds a pending escrow when amount and
   * currency match; any other successful charge is recorded as unmatched (escrow.payment_unmatched) and its refund
   * follows. Deadlines are settled first, so a charge after the reservation expired is refunded. Idempotent per
   * reference: a repeat answers the recorded outcome.
   */
  paymentReceived(paid: { reference: string; amount: number; currency: string }): Promise<RpcResult<ProviderOutcome>> {
    return this.provider((s, now) => payments.receiveCharge(s, paid, newId("pay"), now));
  }

  /** A refund's outcome for the transaction `reference` (an unmatched charge's, or the escrow's own), forward only. */
  refundSettled(
    reference: string,
    succeeded: boolean,
    error: string | null = null,
  ): Promise<RpcResult<ProviderOutcome>> {
    return this.provider((s, now) => payments.applyRefund(s, reference, succeeded, error, now));
  }

  /** A transfer outcome for `reference`; applied only to the current attempt and only forward. */
  payoutSettled(
    reference: string,
    outcome: "sent" | "failed" | "reversed",
    reason: string | null,
  ): Promise<RpcResult<ProviderOutcome>> {
    return this.provider((s, now) => payments.applyTransfer(s, reference, outcome, reason, now));
  }

  /** An admin asks again for the refund of the unmatched charge `reference`; answers the charge. */
  retryChargeRefund(reference: string): Promise<RpcResult<ChargeRecord>> {
    return rpcResult(async () => {
      const s = await this.mutate(null, (cur, now) => payments.retryChargeRefund(cur, reference, now));
      return payments.chargeOf(s, reference);
    });
  }

  /** The buyer (or an admin) cancels the unfunded escrow. */
  cancel(caller: Caller, reason: string | null): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => machine.cancel(s, this.actor(s, caller), reason, now));
  }

  /** The escrow contract became active (the EVENTS consumer of contract.activated calls this). */
  contractActivated(): Promise<RpcResult<EscrowState>> {
    return this.command(null, (s, now) =>
      s.contractActivatedAt && s.status !== "funds_held" ? { state: s, events: [] } : machine.contractSigned(s, now),
    );
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
      await this.settleDue();
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
    return this.command(caller.userId, (s, now) => ({
      ...machine.dispute(s, this.actor(s, caller), reason, now),
      data: { reason },
    }));
  }

  /** The admin release of funds to the seller (dispute resolution), never the credential reveal. */
  releaseFunds(caller: Caller): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => machine.releaseFunds(s, this.actor(s, caller), now));
  }

  refund(caller: Caller, reason: string | null): Promise<RpcResult<EscrowState>> {
    return this.command(caller.userId, (s, now) => ({
      ...machine.refund(s, this.actor(s, caller), now),
      ...(reason ? { data: { reason } } : {}),
    }));
  }

  /** The payout job is about to ask the provider for a transfer under `reference` (audited before the call). */
  payoutRequested(reference: string, recipient: string | null = null): Promise<RpcResult<EscrowState>> {
    return rpcResult(() =>
      this.mutate(null, (s, now) => ({
        state: machine.payoutRequested(s, reference, now, recipient),
        events: [],
        notes: [
          {
            type: "escrow.payout_requested",
            data: { escrowId: s.id, status: s.status, reference, amount: s.sellerPayout, currency: s.currency },
          },
        ],
      })),
    );
  }

  /** A failed or reversed payout is queued again as a new attempt (a new transfer reference). */
  retryPayout(): Promise<RpcResult<EscrowState>> {
    return this.command(null, (s, now) => ({
      state: machine.retryPayout(s, now),
      events: [],
      notes: [
        {
          type: "escrow.payout_retried",
          data: { escrowId: s.id, status: s.status, generation: s.payout.generation + 1 },
        },
      ],
    }));
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
        return {
          state: { ...s, updatedAt: now },
          events: [],
          notes: [{ type: "escrow.vault_rewrapped", data: { escrowId: s.id, status: s.status, kekId: record.kekId } }],
        };
      }),
    );
  }

  private load(): EscrowState | null {
    const s = this.aggregate.load();
    return s ? machine.upgradeState(s) : null;
  }

  private actor(s: EscrowState, caller: Caller): EscrowActor {
    const actor = machine.actorOf(s, caller.userId, caller.isAdmin);
    // Someone who is neither party nor admin does not learn the escrow exists.
    if (!actor) throw fail.notFound("Escrow");
    return actor;
  }

  /** A command: deadlines first (so it meets the escrow as it is now), then the step. */
  private command(
    actorId: string | null,
    step: (s: EscrowState, now: string, ctx: CommandContext) => Transition,
  ): Promise<RpcResult<EscrowState>> {
    return rpcResult(async () => {
      await this.settleDue();
      return this.mutate(actorId, step);
    });
  }

  /** A provider event: deadlines first, then the payment machine's decision; answers what it did. */
  private provider(step: (s: EscrowState, now: string) => payments.Applied): Promise<RpcResult<ProviderOutcome>> {
    return rpcResult(async () => {
      await this.settleDue();
      const before = this.load();
      if (!before) throw fail.notFound("Escrow");
      // A repeat that changes nothing (a charge already recorded) is answered without writing a new revision.
      const dry = step(before, new Date().toISOString());
      if (dry.transition.state === before && !dry.transition.events.length && !dry.transition.notes?.length)
        return dry.outcome;
      let outcome: ProviderOutcome = "ignored";
      await this.mutate(null, (s, now) => {
        const applied = step(s, now);
        outcome = applied.outcome;
        return applied.transition;
      });
      return outcome;
    });
  }

  /** Expires a reservation or completes an inspection period that is due (no-op otherwise). */
  private async settleDue(): Promise<void> {
    const s = this.load();
    if (!s || !machine.settleDeadlines(s, new Date().toISOString())) return;
    await this.mutate(null, (cur, now) => machine.settleDeadlines(cur, now) ?? { state: cur, events: [] });
  }

  /** Runs one transition through the aggregate, then announces its events on the room's sockets. */
  private async mutate(
    actorId: string | null,
    step: (s: EscrowState, now: string, ctx: CommandContext) => Transition,
  ): Promise<EscrowState> {
    const id = this.aggregate.load()?.id;
    if (!id) throw fail.notFound("Escrow");
    let outcome: Transition | null = null;
    await this.aggregate.execute(id, actorId, (current, ctx) => {
      if (!current) throw fail.notFound("Escrow");
      outcome = step(machine.upgradeState(current), ctx.now, ctx);
      return this.decide(ctx, outcome);
    });
    const t = outcome as Transition | null;
    this.broadcast(t!);
    await this.rearm();
    return t!.state;
  }

  private decide(ctx: CommandContext, t: Transition) {
    const { state } = t;
    const published = t.events.map(
      (type): AggregateEvent => ({
        type,
        data: eventData(state, t.data ?? {}),
        audience: [state.buyerId, state.sellerId],
      }),
    );
    const notes = (t.notes ?? []).map((n): AggregateEvent => ({ type: n.type, data: n.data, publish: false }));
    return {
      state,
      events: [...published, ...notes],
      projection: [
        ...escrowProjection(this.env.DB, state, ctx.revision),
        ...unmatchedPaymentsProjection(this.env.DB, state, ctx.revision),
      ],
      result: state,
    };
  }

  private broadcast(t: Transition) {
    for (const type of t.events) this.hub.publish(type, eventData(t.state, t.data ?? {}));
  }

  /** The aggregate never clears the alarm, so each deadline (reservation, inspection, hub) re-arms after every change. */
  private async rearm(): Promise<void> {
    const state = this.load();
    if (state?.status === "pending" && state.expiresAt)
      await armAlarmNoLaterThan(this.ctx.storage, Date.parse(state.expiresAt));
    if (state?.status === "credentials_released" && state.inspectionEndsAt) {
      await armAlarmNoLaterThan(this.ctx.storage, Date.parse(state.inspectionEndsAt));
    }
    const hubNext = this.hub.nextAlarm();
    if (hubNext !== null) await armAlarmNoLaterThan(this.ctx.storage, hubNext);
  }

  private permissionsOf(p: Principal): string[] | null {
    const s = this.load();
    if (!s) return null;
    const actor = machine.actorOf(s, p.userId, isAdmin(p));
    return actor ? ["read", actor] : null;
  }
}

function eventData(s: EscrowState, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    escrowId: s.id,
    status: s.status,
    amount: s.amount,
    currency: s.currency,
    listingId: s.listingId,
    contractId: s.contractId,
    ...extra,
  };
}

/** The room's RPC surface (its public methods), typed by the class' own signatures. */
export type EscrowRoomApi = Pick<EscrowRoom, Exclude<keyof EscrowRoom, keyof LiveObject | "fetch" | "alarm">>;

export function escrowRoom(env: Bindings, escrowId: string): EscrowRoomApi {
  // Every call carries the caller's correlation id (durable-objects/lib/correlated.ts).
  return correlatedStub<EscrowRoomApi>(env.ESCROW_ROOM.get(env.ESCROW_ROOM.idFromName(escrowId)));
}

// ContractRoom: the single writer of one contract (idFromName(contractId)). Every change is a command run through
// the shared Aggregate (state + audit chain + outbox in one storage transaction); routes call these RPC methods
// after authorising the caller, and the room enforces the state machine.
import { correlatedStub } from "./lib/correlated";
import type { Bindings } from "../src/env";
import { fail } from "../src/lib/errors";
import type { AuditEvent } from "../src/domain/audit-chain";
import type { InboundEmailRecord } from "../src/domain/inbound-email";
import {
  addAttachment,
  addSigner,
  applyPatch,
  cancel,
  createDraft,
  deleteDraft,
  normalizeTags,
  removeSigner,
  revokeShare,
  share,
  versionOf,
  type AttachmentMeta,
  type ContractState,
  type ContractVersion,
  type DraftPatch,
  type NewContract,
  type NewSigner,
  type Share,
} from "../src/domain/contract-machine";
import { contractProjection } from "../src/db/contracts-projection";
import { CONTRACT_EMITS, type ContractEmission } from "../src/domain/contract-events";
import {
  Aggregate,
  type AggregateEvent,
  type CommandContext,
  type Decision,
  type ProjectionStatement,
} from "./lib/aggregate";
import { rpcResult, type RpcResult } from "./lib/rpc-result";
import { LiveHub } from "./lib/hub";
import { LiveObject } from "./lib/live-object";
import { LIVE_PATH } from "./lib/live-path";
import type { LiveEvent } from "./lib/hub-protocol";
import { SIGNING_SCHEMA, partyAudience, scheduleStatements, type ExecutionRecord } from "./contract-room/signing";
import { SigningCommands, type SendRequest } from "./contract-room/commands";
import { assertCanAct, expire, type RecipientAction } from "../src/domain/routing";
import { hasPassed } from "../src/domain/time";
import { erasePartyFromContract, redactJsonText, redactText, type PartyPseudonym } from "../src/domain/party-erasure";
import type { SignatureRecord } from "../src/lib/signatures";
import { contractAccess } from "../src/db/contract-access";
import type { EmailRequest } from "../src/lib/email";

/** Thrown inside an expiry transaction that finds nothing left to expire (rolls it back; never leaves the room). */
const ALREADY_SETTLED = new Error("contract already settled");

const ROOM_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS contract_versions (
     version INTEGER PRIMARY KEY,
     content TEXT NOT NULL,
     author_id TEXT NOT NULL,
     created_at TEXT NOT NULL)`,
];

/**
 * A command's outcome; `projection` adds D1 writes beyond the contract's own (e.g. anchoring records); `emails`
 * go out through the outbox once the change committed.
 */
export type Change = {
  state: ContractState;
  events: AggregateEvent[];
  projection?: ProjectionStatement[];
  emails?: EmailRequest[];
};

export class ContractRoom extends LiveObject {
  private readonly aggregate: Aggregate<ContractState>;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.aggregate = new Aggregate<ContractState>(ctx, env, {
      subjectType: "contract",
      schema: [...ROOM_SCHEMA, ...SIGNING_SCHEMA],
    });
    this.hub = new LiveHub(ctx, env, {
      authorize: (principal) => this.livePermissions(principal),
      room: { kind: "contract", name: ctx.id.name },
    });
    this.signing = new SigningCommands(env, ctx.storage.sql, {
      load: () => this.get(),
      command: (actorId, change) => this.command(actorId, change),
      emit: (state, emissions) => this.emit(state, emissions),
    });
  }

  protected readonly hub: LiveHub;
  private readonly signing: SigningCommands;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "ContractRoom" });
    if (url.pathname === LIVE_PATH) return this.hub.connect(request);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  override async alarm(): Promise<void> {
    // Both arm the one alarm "no later than" their own deadline and tolerate early wake-ups (lib/alarm.ts).
    await this.hub.alarm();
    await this.aggregate.alarm();
  }

  // ---- signing (rules in src/domain/routing.ts, orchestration in ./contract-room/commands.ts) ----

  send(actorId: string, input: SendRequest): Promise<RpcResult<ContractState>> {
    return this.signing.send(actorId, input);
  }

  /** An approver approves or a signer signs; `actorId` is their user id, or null when acting by signing token. */
  act(
    actorId: string | null,
    signerId: string,
    action: RecipientAction,
    signature: SignatureRecord | null,
  ): Promise<RpcResult<ContractState>> {
    return this.signing.act(actorId, signerId, action, signature);
  }

  decline(actorId: string | null, signerId: string, reason: string): Promise<RpcResult<ContractState>> {
    return this.signing.decline(actorId, signerId, reason);
  }

  complete(actorId: string): Promise<RpcResult<ContractState>> {
    return this.signing.complete(actorId);
  }

  /** The executed PDF is final (src/services/contracts/get-executed-document.ts): records what it commits to. */
  recordExecution(executedDocumentHash: string): Promise<RpcResult<ExecutionRecord>> {
    return this.signing.recordExecution(executedDocumentHash);
  }

  /** The execution record (escra-execution-v2), or null while the executed PDF is not final. */
  async executionRecord(): Promise<ExecutionRecord | null> {
    return this.signing.executionRecord();
  }

  /**
   * Cron (tidying only — every command enforces the expiry itself): cancels a pending contract whose expiresAt has
   * passed at `now` (the cron's scheduled time); null when nothing was due.
   */
  expire(now: string): Promise<RpcResult<ContractState | null>> {
    return rpcResult(() => this.expireIfDue(now));
  }

  /**
   * Before a party acts with side effects of its own (a signature image to store): records a due expiry, then
   * checks the party may approve/sign now. RES002 with the reason otherwise; nothing else changes.
   */
  checkAct(signerId: string, action: RecipientAction): Promise<RpcResult<ContractState>> {
    return rpcResult(async () => {
      await this.expireIfDue();
      const state = await this.get();
      if (!state) throw fail.notFound("Contract");
      assertCanAct(state, signerId, action, new Date().toISOString());
      return state;
    });
  }

  /** Cron: sends due reminders and escalations. */
  remind(now: string): Promise<RpcResult<{ reminded: number; escalated: number }>> {
    return this.signing.remind(now);
  }

  /** The live room's latest sequence number (for tests and the bench). */
  async liveSeq(): Promise<number> {
    return this.hub.latestSeq();
  }

  private async livePermissions(principal: import("../src/env").Principal): Promise<string[] | null> {
    const id = this.aggregate.load()?.id;
    if (!id) return null;
    const level = await contractAccess(this.env, principal, id);
    return level === "none" ? null : [level];
  }

  /** The current state, or null when the contract does not exist here (never created, or deleted). */
  async get(): Promise<ContractState | null> {
    const state = this.aggregate.load();
    return state && !state.deletedAt ? state : null;
  }

  async auditTrail(): Promise<AuditEvent[]> {
    return this.aggregate.auditTrail();
  }

  async versions(): Promise<ContractVersion[]> {
    return this.ctx.storage.sql
      .exec<{ content: string }>("SELECT content FROM contract_versions ORDER BY version")
      .toArray()
      .map((r) => JSON.parse(r.content) as ContractVersion);
  }

  create(input: NewContract): Promise<RpcResult<ContractState>> {
    const live: LiveEvent[] = [];
    return rpcResult(() =>
      this.aggregate
        .execute(input.id, input.ownerId, (current, ctx) => {
          if (current) throw fail.conflict("Contract already exists");
          const state = createDraft(input, ctx.now);
          this.recordVersion(state, ctx);
          return this.decide(ctx, { state, events: this.emit(state, CONTRACT_EMITS.created()) }, [input.ownerId], live);
        })
        .then((state) => {
          this.flushLive(live);
          return state;
        }),
    );
  }

  editDraft(actorId: string, patch: DraftPatch): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = applyPatch(state, patch, ctx.now);
      this.recordVersion(next, ctx);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.edited()) };
    });
  }

  remove(actorId: string): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = deleteDraft(state, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.deleted()) };
    });
  }

  addSigner(actorId: string, signer: NewSigner): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = addSigner(state, signer, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.signerAdded(signer.id)) };
    });
  }

  removeSigner(actorId: string, signerId: string): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = removeSigner(state, signerId, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.signerRemoved(signerId)) };
    });
  }

  cancel(actorId: string, reason: string | null): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = cancel(state, reason, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.cancelled(reason)) };
    });
  }

  /** Adds tags (organising metadata, allowed in any status; not a new draft version). */
  tag(actorId: string, tags: string[]): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = { ...state, tags: normalizeTags([...state.tags, ...tags]), updatedAt: ctx.now };
      return { state: next, events: this.emit(next, CONTRACT_EMITS.tagged(next.tags)) };
    });
  }

  addAttachment(actorId: string, attachment: AttachmentMeta): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = addAttachment(state, attachment, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.attachmentAdded(attachment)) };
    });
  }

  /**
   * Records a message mailed to the contract's address (src/email/inbound.ts) in the audit trail: who sent it,
   * its Message-ID and the attachments it added. Audit only (not a state change worth publishing).
   */
  recordInboundEmail(actorId: string, email: InboundEmailRecord): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = { ...state, updatedAt: ctx.now };
      return { state: next, events: this.emit(next, CONTRACT_EMITS.emailReceived(email)) };
    });
  }

  share(actorId: string, entry: Share): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = share(state, entry, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.shared(entry)) };
    });
  }

  revokeShare(actorId: string, shareId: string): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const next = revokeShare(state, shareId, ctx.now);
      return { state: next, events: this.emit(next, CONTRACT_EMITS.shareRevoked(shareId)) };
    });
  }

  /**
   * Account erasure (DELETE /users/me): the person's signer rows and shares on this contract take the pseudonym,
   * text naming them is redacted in the state, every stored draft version and the held live events, and the audit
   * trail forgets its disclosures of them (the chain, which hashed salted commitments, still verifies). The audit
   * entry names only the ids touched, never what it removes. RES001 for a deleted contract.
   */
  eraseParty(actorId: string, party: PartyPseudonym): Promise<RpcResult<ContractState>> {
    return this.command(actorId, (state, ctx) => {
      const erased = erasePartyFromContract(state, party, ctx.now);
      const redact = (text: string) => redactText(text, party, erased.names);
      this.redactVersions(ctx, redact);
      this.hub.rewriteHeldEvents((json) => redactJsonText(json, redact));
      const forgotten = this.aggregate.forgetPersonal((json) => redactJsonText(json, redact) !== json);
      if (!erased.changed && forgotten === 0) return { state, events: [] };
      const data = { signerIds: erased.signerIds, shareIds: erased.shareIds, auditDisclosuresErased: forgotten };
      return { state: erased.state, events: this.emit(erased.state, CONTRACT_EMITS.partyErased(data)) };
    });
  }

  private redactVersions(ctx: CommandContext, redact: (text: string) => string) {
    const rows = ctx.sql
      .exec<{ version: number; content: string }>("SELECT version, content FROM contract_versions")
      .toArray();
    for (const row of rows) {
      const next = redactJsonText(row.content, redact);
      if (next !== row.content)
        ctx.sql.exec("UPDATE contract_versions SET content = ? WHERE version = ?", next, row.version);
    }
  }

  /** Commands on an existing contract: RES001 when there is none (or it was deleted). */
  private command(actorId: string | null, change: (state: ContractState, ctx: CommandContext) => Change) {
    return rpcResult(async () => {
      // A deadline is enforced when someone acts, not only by the cron: a due expiry commits first (its own
      // transaction, so the refusal that follows cannot roll it back), and the command then meets the expired state.
      await this.expireIfDue();
      const loaded = this.aggregate.load();
      if (!loaded?.id) throw fail.notFound("Contract");
      // Events go to the owner and every party with an account (feeds, notifications, webhooks).
      const audience = await partyAudience(this.env, loaded);
      const live: LiveEvent[] = [];
      const result = await this.aggregate.execute(loaded.id, actorId, (current, ctx) => {
        if (!current || current.deletedAt) throw fail.notFound("Contract");
        return this.decide(ctx, change(current, ctx), audience, live);
      });
      this.flushLive(live);
      return result;
    });
  }

  /**
   * Commits the expiry of a pending contract whose expiresAt has passed at `judgeAt` (default: now): cancelled with
   * reason "expired", contract.expired + contract.cancelled, reminders unscheduled. Null when nothing was due.
   */
  private async expireIfDue(judgeAt?: string): Promise<ContractState | null> {
    const loaded = this.aggregate.load();
    const at = judgeAt ?? new Date().toISOString();
    if (!loaded?.id || loaded.deletedAt || !expire(loaded, at)) return null;
    const audience = await partyAudience(this.env, loaded);
    const live: LiveEvent[] = [];
    let result: ContractState;
    try {
      result = await this.aggregate.execute(loaded.id, null, (current, ctx) => {
        // Recorded at the later of the two times: a late cron run still expires, and never in the past of the log.
        const next = current ? expire(current, hasPassed(at, ctx.now) ? ctx.now : at) : null;
        if (!current || !next) throw ALREADY_SETTLED;
        const change: Change = {
          state: next,
          events: this.emit(next, CONTRACT_EMITS.expired()),
          projection: scheduleStatements(next, null),
        };
        return this.decide(ctx, change, audience, live);
      });
    } catch (err) {
      // A concurrent request recorded the expiry (or another end) while we looked up the audience: nothing to do.
      if (err === ALREADY_SETTLED) return null;
      throw err;
    }
    this.flushLive(live);
    return result;
  }

  /**
   * Inside the command's transaction: the live events are appended to the hub's log with the state change (so a
   * rolled-back command is never announced) and broadcast by flushLive once it committed.
   */
  private decide(
    ctx: CommandContext,
    change: Change,
    audience: string[],
    live: LiveEvent[],
  ): Decision<ContractState, ContractState> {
    const events = change.events.map((e) =>
      e.publish === false ? e : { ...e, audience: [...new Set([...(e.audience ?? []), ...audience])] },
    );
    for (const e of events) {
      if (e.publish !== false) live.push(this.hub.append(e.type, e.data, { timestamp: ctx.now }).event);
    }
    return {
      state: change.state,
      events,
      projection: [...contractProjection(this.env.DB, change.state, ctx.revision), ...(change.projection ?? [])],
      emails: change.emails ?? [],
      result: change.state,
    };
  }

  /** Only after a commit: a command that threw rolled its appends back with the transaction. */
  private flushLive(live: LiveEvent[]) {
    for (const event of live) this.hub.broadcast(event);
  }

  /** The transition's events (chosen in domain/contract-events.ts) as the aggregate records them. */
  private emit(state: ContractState, emissions: readonly ContractEmission[]): AggregateEvent[] {
    return emissions.map(({ type, data, publish }) => {
      // The owner always hears of their contract; consumers add the parties they resolve themselves.
      const event: AggregateEvent = {
        type,
        data: { contractId: state.id, status: state.status, version: state.version, title: state.title, ...data },
        audience: [state.ownerId],
      };
      return publish ? event : { ...event, publish: false };
    });
  }

  private recordVersion(state: ContractState, ctx: CommandContext) {
    const version = versionOf(state, ctx.actorId ?? state.ownerId);
    ctx.sql.exec(
      "INSERT INTO contract_versions (version, content, author_id, created_at) VALUES (?, ?, ?, ?)",
      version.version,
      JSON.stringify(version),
      version.authorId,
      version.createdAt,
    );
  }
}

/** The room's RPC surface: its public methods (all async, all returning structured-clonable plain data). */
export type ContractRoomApi = Pick<ContractRoom, Exclude<keyof ContractRoom, keyof LiveObject | "fetch" | "alarm">>;

/**
 * The RPC stub of a contract's room. Typed by the class' own signatures: workers-types' Rpc mapping turns
 * fields typed `unknown` (signature data, audit data) into `never`, although they cross as plain JSON values.
 */
export function contractRoom(env: Bindings, contractId: string): ContractRoomApi {
  // Every call carries the caller's correlation id (durable-objects/lib/correlated.ts).
  return correlatedStub<ContractRoomApi>(env.CONTRACT_ROOM.get(env.CONTRACT_ROOM.idFromName(contractId)));
}

// ContractRoom's signing commands: send, approve/sign, decline, complete, expire, reminders. Each runs through the
// room's command() (state machine in src/domain/routing.ts, audit, outbox, live); their emails are part of the
// command's decision, so the outbox sends them with the change or retries them, never loses them.
import type { Bindings } from "../../src/env";
import { wasExecuted, type ContractState, type Signer } from "../../src/domain/contract-machine";
import type { EmailRequest } from "../../src/lib/email";
import {
  DEFAULT_REMINDERS,
  act,
  assertCanSend,
  complete,
  decline,
  dueReminders,
  recordReminders,
  send,
  withWorkflowApprovers,
  type RecipientAction,
  type ReminderPolicy,
} from "../../src/domain/routing";
import { enqueueAnchorStatements } from "../../src/lib/anchoring";
import { fail } from "../../src/lib/errors";
import type { SignatureRecord } from "../../src/lib/signatures";
import { esignConsentStatement } from "../../src/db/consents";
import { CONSENT_VERSION } from "../../src/domain/consent";
import type { AggregateEvent, CommandContext } from "../lib/aggregate";
import { rpcResult, unwrap, type RpcResult } from "../lib/rpc-result";
import {
  escalationEmail,
  executionRecord,
  findExecutionRecord,
  freezeDocument,
  loadSigningInfo,
  partyEmails,
  executedEmails,
  senderOf,
  type Sender,
  saveSigningInfo,
  scheduleStatements,
  type ExecutionRecord,
} from "./signing";
import type { Change } from "../contract-room";
import { CONTRACT_EMITS, type ContractEmission } from "../../src/domain/contract-events";

export interface SendRequest {
  /** Approvers of the matching workflow rules (ids assigned by the route). */
  approvers: { id: string; email: string; name?: string; order: number }[];
  reminders?: Partial<ReminderPolicy>;
  /** The sender's note to the parties, quoted in their signing emails. */
  message?: string | null;
}

interface RoomHooks {
  load(): Promise<ContractState | null>;
  command(
    actorId: string | null,
    change: (state: ContractState, ctx: CommandContext) => Change,
  ): Promise<RpcResult<ContractState>>;
  /** The transition's events, chosen in domain/contract-events.ts, as the aggregate records them. */
  emit(state: ContractState, emissions: readonly ContractEmission[]): AggregateEvent[];
}

export class SigningCommands {
  /** One send at a time: rendering and storing the document happen before the command, outside its transaction. */
  private sending = false;

  constructor(
    private readonly env: Bindings,
    private readonly sql: SqlStorage,
    private readonly room: RoomHooks,
  ) {}

  send(actorId: string, input: SendRequest): Promise<RpcResult<ContractState>> {
    return rpcResult(async () => {
      const before = await this.room.load();
      if (!before) throw fail.notFound("Contract");
      // Decided before the document is rendered and stored: a send that will be refused writes nothing.
      const signers = withWorkflowApprovers(before.signers, input.approvers);
      assertCanSend(before, signers, new Date().toISOString());
      if (this.sending) throw fail.conflict("This contract is already being sent");
      this.sending = true;
      try {
        const sender = await senderOf(this.env, before);
        const documentHash = await freezeDocument(this.env, before, signers);
        return unwrap(
          await this.room.command(actorId, (current, ctx) => {
            // The frozen PDF shows `before`; any edit since then would make it differ from what is sent.
            if (current.updatedAt !== before.updatedAt)
              throw fail.conflict("The contract changed while it was being sent; send it again");
            const reminders = { ...DEFAULT_REMINDERS, ...input.reminders };
            const r = send(
              current,
              { documentHash, signers: withWorkflowApprovers(current.signers, input.approvers), reminders },
              ctx.now,
            );
            const info = { ...r.info, message: input.message ?? null };
            saveSigningInfo(ctx.sql, info);
            return {
              state: r.state,
              events: this.room.emit(r.state, CONTRACT_EMITS.sent(documentHash)),
              projection: [
                ...enqueueAnchorStatements(this.env, { kind: "document", hash: documentHash, contractId: current.id }),
                ...scheduleStatements(r.state, r.info),
              ],
              emails: this.notifications(r.state, r.notified, { sender, message: info.message }),
            };
          }),
        );
      } finally {
        this.sending = false;
      }
    });
  }

  async act(
    actorId: string | null,
    signerId: string,
    action: RecipientAction,
    signature: SignatureRecord | null,
  ): Promise<RpcResult<ContractState>> {
    const before = await this.room.load();
    const sender = before ? await senderOf(this.env, before) : null;
    return this.room.command(actorId, (state, ctx) => {
      if (signature && (signature.documentHash !== state.documentHash || signature.signerId !== signerId)) {
        throw fail.conflict("The signature is over another document");
      }
      const r = act(
        state,
        loadSigningInfo(ctx.sql),
        signerId,
        action,
        signature as unknown as Record<string, unknown> | null,
        ctx.now,
      );
      saveSigningInfo(ctx.sql, r.info);
      const emails = this.notifications(r.state, r.notified, { sender, message: r.info.message ?? null });
      const events = this.room.emit(r.state, CONTRACT_EMITS.acted(action, signerId));
      // The consent to electronic signature is logged with the signature, through the same outbox (issue 15.5).
      const consent = signature
        ? [
            esignConsentStatement({
              contractId: r.state.id,
              signerId,
              signerEmail: signature.signerEmail,
              actorId,
              textVersion: CONSENT_VERSION,
              ip: signature.ip,
              userAgent: signature.userAgent,
              signedAt: signature.signedAt,
            }),
          ]
        : [];
      // The execution record follows once the executed PDF is rendered and sealed (recordExecution), so that it
      // commits to the file the parties receive; contract.activated only says every required party signed.
      if (r.activated) events.push(...this.room.emit(r.state, CONTRACT_EMITS.activated()));
      return { state: r.state, events, projection: [...scheduleStatements(r.state, r.info), ...consent], emails };
    });
  }

  /**
   * Makes the execution record of an active (or completed) contract over its final executed PDF: the
   * contract.execution_recorded event (audit, webhooks, live), the "execution" anchoring record naming the executed
   * PDF's hash, and the parties' executed-document emails. Idempotent: once made, the record never changes and a
   * later call (a retried job, a racing reader) returns it whatever hash it brings.
   * @param executedDocumentHash SHA-256 (hex) of the sealed executed PDF as it will be served from now on
   * @throws RES001 unknown contract; RES002 before every required party signed (a cancellation after that does not
   *   stop the record: the parties signed)
   */
  async recordExecution(executedDocumentHash: string): Promise<RpcResult<ExecutionRecord>> {
    return rpcResult(async () => {
      const existing = findExecutionRecord(this.sql);
      if (existing) return existing;
      unwrap(
        await this.room.command(null, (state, ctx) => {
          if (findExecutionRecord(ctx.sql)) return { state, events: [] };
          if (!wasExecuted(state)) {
            throw fail.conflict(`An execution record exists once every party signed; this contract is ${state.status}`);
          }
          const execution = executionRecord(state, ctx.sql, executedDocumentHash);
          return {
            state,
            events: this.room.emit(state, CONTRACT_EMITS.executionRecorded(execution)),
            projection: enqueueAnchorStatements(this.env, {
              kind: "execution",
              hash: execution.executionHash,
              contractId: state.id,
              executedDocumentHash: execution.executedDocumentHash,
            }),
            emails: executedEmails(this.env, state, execution),
          };
        }),
      );
      return findExecutionRecord(this.sql)!;
    });
  }

  /** The execution record, or null while the executed PDF is not final yet. */
  executionRecord(): ExecutionRecord | null {
    return findExecutionRecord(this.sql);
  }

  decline(actorId: string | null, signerId: string, reason: string): Promise<RpcResult<ContractState>> {
    return this.room.command(actorId, (state, ctx) => {
      const next = decline(state, signerId, reason, ctx.now);
      return {
        state: next,
        events: this.room.emit(next, CONTRACT_EMITS.declined(signerId, reason)),
        projection: scheduleStatements(next, null),
      };
    });
  }

  complete(actorId: string): Promise<RpcResult<ContractState>> {
    return this.room.command(actorId, (state, ctx) => {
      const next = complete(state, ctx.now);
      return { state: next, events: this.room.emit(next, CONTRACT_EMITS.completed()) };
    });
  }

  async remind(now: string): Promise<RpcResult<{ reminded: number; escalated: number }>> {
    const state = await this.room.load();
    const preview = state ? dueReminders(state, loadSigningInfo(this.sql), now) : { remind: [], escalate: [] };
    if (!state || (preview.remind.length === 0 && preview.escalate.length === 0))
      return { ok: true, value: { reminded: 0, escalated: 0 } };
    // Looked up before the command (which is synchronous); a room whose owner is gone escalates to no one.
    const owner = await senderOf(this.env, state);
    let plan = preview;
    const result = await this.room.command(null, (current, ctx) => {
      const info = loadSigningInfo(ctx.sql);
      plan = dueReminders(current, info, now);
      if (plan.remind.length === 0 && plan.escalate.length === 0) throw fail.conflict("Nothing due");
      const recorded = recordReminders(info!, plan, ctx.now);
      saveSigningInfo(ctx.sql, recorded);
      return {
        state: current,
        projection: scheduleStatements(current, recorded),
        events: this.room.emit(current, [
          ...CONTRACT_EMITS.reminded(plan.remind.map((s) => s.id)),
          ...CONTRACT_EMITS.escalated(plan.escalate.map((s) => s.id)),
        ]),
        emails: [
          ...partyEmails(this.env, current, plan.remind, "reminder", { sender: owner, message: info?.message ?? null }),
          ...(plan.escalate.length && owner ? [escalationEmail(this.env, current, owner.email, plan.escalate)] : []),
        ],
      };
    });
    if (!result.ok) return { ok: true, value: { reminded: 0, escalated: 0 } };
    return { ok: true, value: { reminded: plan.remind.length, escalated: plan.escalate.length } };
  }

  /** Signing requests to the parties whose turn it now is, copies to its viewers. */
  private notifications(
    state: ContractState,
    notified: Signer[],
    from: { sender: Sender | null; message: string | null },
  ): EmailRequest[] {
    return [
      ...partyEmails(
        this.env,
        state,
        notified.filter((s) => s.role !== "viewer"),
        "request",
        from,
      ),
      ...partyEmails(
        this.env,
        state,
        notified.filter((s) => s.role === "viewer"),
        "copy",
        from,
      ),
    ];
  }
}

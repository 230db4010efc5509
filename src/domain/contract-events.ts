// What each contract transition emits, chosen here (as ESCROW_RULES does for escrows), never by the ContractRoom:
// names only from the catalog (domain/events.ts), and an audit-only name is recorded in the trail, never published.
import { AUDIT_ONLY_EVENTS, type AuditOnlyEventType, type EventOf } from "./events";
import type { RecipientAction } from "./routing";

/** Every name a contract's trail may hold: its published events and its audit-only ones. */
export type ContractEventName = EventOf<"contract"> | Extract<AuditOnlyEventType, `contract.${string}`>;

export interface ContractEmission {
  type: ContractEventName;
  /** Data beyond the contract's own (id, status, version, title), which the room adds. */
  data: Record<string, unknown>;
  /** false for an audit-only name (AUDIT_ONLY_EVENTS): audited, never sent to feeds, notifications or webhooks. */
  publish: boolean;
}

const AUDIT_ONLY: ReadonlySet<string> = new Set(AUDIT_ONLY_EVENTS);

const emit = (type: ContractEventName, data: Record<string, unknown> = {}): ContractEmission => ({
  type,
  data,
  publish: !AUDIT_ONLY.has(type),
});

/** The events of each contract transition, in the order they are recorded. */
export const CONTRACT_EMITS = {
  created: () => [emit("contract.created")],
  edited: () => [emit("contract.updated", { change: "edited" })],
  /** A deleted draft concerns only its owner: audited, not published. */
  deleted: () => [emit("contract.deleted")],
  signerAdded: (signerId: string) => [emit("contract.updated", { change: "signer_added", signerId })],
  signerRemoved: (signerId: string) => [emit("contract.updated", { change: "signer_removed", signerId })],
  cancelled: (reason: string | null) => [emit("contract.cancelled", reason ? { reason } : {})],
  tagged: (tags: string[]) => [emit("contract.updated", { change: "tagged", tags })],
  attachmentAdded: (attachment: { id: string; sha256: string }) => [
    emit("contract.updated", { change: "attachment_added", attachmentId: attachment.id, sha256: attachment.sha256 }),
  ],
  emailReceived: (email: object) => [emit("contract.email_received", { ...email })],
  shared: (share: { id: string; email: string; permission: string }) => [
    emit("contract.shared", { shareId: share.id, email: share.email, permission: share.permission }),
  ],
  shareRevoked: (shareId: string) => [emit("contract.share_revoked", { shareId })],
  partyErased: (data: Record<string, unknown>) => [emit("contract.party_erased", data)],
  expired: () => [emit("contract.expired"), emit("contract.cancelled", { reason: "expired" })],
  sent: (documentHash: string) => [emit("contract.sent", { documentHash })],
  acted: (action: RecipientAction, signerId: string) => [
    emit(action === "sign" ? "contract.signed" : "contract.approved", { signerId }),
  ],
  /** Every required recipient acted; the execution record follows once the executed PDF is sealed. */
  activated: () => [emit("contract.activated")],
  /** The execution record over the final executed PDF (escra-execution-v2: its hashes are the data). */
  executionRecorded: (execution: object) => [emit("contract.execution_recorded", { ...execution })],
  declined: (signerId: string, reason: string) => [
    emit("contract.declined", { signerId, reason }),
    emit("contract.cancelled", { reason }),
  ],
  completed: () => [emit("contract.completed")],
  reminded: (signerIds: readonly string[]) => signerIds.map((signerId) => emit("contract.reminder_sent", { signerId })),
  /** The owner is told who blocks: audited, the escalation email is the notice. */
  escalated: (signerIds: readonly string[]) => signerIds.map((signerId) => emit("contract.escalated", { signerId })),
} as const satisfies Record<string, (...args: never[]) => ContractEmission[]>;

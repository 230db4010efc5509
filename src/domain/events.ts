// THE catalog of domain events (API.md "Event types"): type → zod schema of its `data`.
// Audit, live messages, notifications and webhooks all read events through this one list.
import { z } from "zod";

const prefixedId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]+$`), `expected a ${prefix}_ id`);

export const CONTRACT_STATUSES = ["draft", "pending", "active", "completed", "cancelled"] as const;
export const ESCROW_STATUSES = [
  "pending",
  "funds_held",
  "contract_signed",
  "credentials_released",
  "completed",
  "refunded",
  "disputed",
  "cancelled",
  "expired",
] as const;
/** Why a successful charge did not fund its escrow (it is then refunded through the provider). */
export const UNMATCHED_REASONS = [
  "already_funded",
  "amount_mismatch",
  "currency_mismatch",
  "escrow_cancelled",
  "escrow_expired",
  "escrow_closed",
  /** a signed charge for a reference that names no escrow of ours */
  "unknown_reference",
] as const;
export const LISTING_STATUSES = ["draft", "under_review", "approved", "rejected", "reserved", "sold"] as const;

// Loose objects: each event's required fields are typed; producers may add context (titles, amounts) freely.
const contractData = z.looseObject({
  contractId: prefixedId("ctr"),
  status: z.enum(CONTRACT_STATUSES),
  version: z.number().int().min(1).optional(),
  title: z.string().max(500).optional(),
});
const contractSignerData = contractData.extend({ signerId: prefixedId("sig") });
const contractReasonData = contractData.extend({ reason: z.string().max(2000).optional() });

const escrowData = z.looseObject({
  escrowId: prefixedId("esc"),
  status: z.enum(ESCROW_STATUSES),
  amount: z.number().int().min(0).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});
const escrowReasonData = escrowData.extend({ reason: z.string().max(2000).optional() });

const listingData = z.looseObject({
  listingId: prefixedId("lst"),
  status: z.enum(LISTING_STATUSES),
  reason: z.string().max(2000).optional(),
});

const anchorData = z.looseObject({
  /** The anchoring batch. */
  anchorId: z.string().min(1),
  status: z.enum(["anchored", "confirmed"]),
  root: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .optional(),
  network: z.string().optional(),
  chainId: z.number().int().positive(),
  txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  blockNumber: z.number().int().min(0).nullable().optional(),
  confirmations: z.number().int().min(0).optional(),
  contractIds: z.array(prefixedId("ctr")).optional(),
});

/** Progress of an asynchronous report export (POST /reports), on the requester's personal feed only. */
const reportData = z.looseObject({
  reportId: prefixedId("rpt"),
  status: z.enum(["queued", "running", "ready", "failed"]),
  /** 0–100 */
  progress: z.number().int().min(0).max(100),
  rowCount: z.number().int().min(0).optional(),
});

/** A personal-data export (issue 15.1) finished: ready to download, or failed. */
const dataExportData = z.looseObject({
  exportId: prefixedId("dex"),
  status: z.enum(["ready", "failed"]),
  expiresAt: z.string().optional(),
});

const webhookTestData = z.looseObject({
  endpointId: prefixedId("whe"),
  message: z.string().max(500).optional(),
});

export const EVENT_CATALOG = {
  "contract.created": contractData,
  "contract.updated": contractData,
  "contract.sent": contractData.extend({ documentHash: z.string().optional() }),
  "contract.approved": contractSignerData,
  "contract.signed": contractSignerData,
  "contract.declined": contractSignerData.extend({ reason: z.string().max(2000).optional() }),
  "contract.activated": contractData,
  /**
   * The executed PDF is final (sealed, timestamped when the TSA allows) and the execution record over it is made:
   * `executionHash` (anchored as the contract's "execution" record) commits to `executedDocumentHash`, the SHA-256 of
   * the PDF GET /contracts/:id/executed-document serves, and to `documentHash`, the frozen PDF the parties signed.
   */
  "contract.execution_recorded": contractData.extend({
    executionHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    executedDocumentHash: z.string().regex(/^[0-9a-f]{64}$/),
    documentHash: z.string().regex(/^[0-9a-f]{64}$/),
    auditHead: z.string(),
    auditSeq: z.number().int().min(1),
  }),
  "contract.completed": contractData,
  "contract.cancelled": contractReasonData,
  "contract.expired": contractData,
  "contract.reminder_sent": contractSignerData,

  "escrow.created": escrowData,
  "escrow.funded": escrowData,
  "escrow.contract_signed": escrowData,
  "escrow.delivered": escrowData,
  "escrow.credentials_released": escrowData,
  "escrow.completed": escrowData,
  "escrow.disputed": escrowReasonData,
  "escrow.released": escrowData,
  "escrow.refunded": escrowReasonData,
  "escrow.payout_sent": escrowData,
  "escrow.payout_failed": escrowReasonData,
  "escrow.cancelled": escrowReasonData,
  "escrow.expired": escrowData,
  /** A successful charge that funded nothing (its refund through the provider follows); amount/currency are the charge's. */
  "escrow.payment_unmatched": escrowData.extend({
    paymentId: prefixedId("pay"),
    reference: z.string().min(1).max(200),
    reason: z.enum(UNMATCHED_REASONS),
  }),

  "listing.submitted": listingData,
  "listing.approved": listingData,
  "listing.rejected": listingData,
  "listing.info_requested": listingData,
  "listing.reserved": listingData,
  "listing.unreserved": listingData,
  "listing.sold": listingData,

  "anchor.anchored": anchorData,
  "anchor.confirmed": anchorData,

  "webhook.test": webhookTestData,

  "report.progress": reportData,
  "report.ready": reportData,

  "export.ready": dataExportData,
} as const satisfies Record<string, z.ZodType>;

export type EventType = keyof typeof EVENT_CATALOG;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_CATALOG)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/**
 * Events kept only in an aggregate's hash-chained audit trail, never published (no consumer, webhook or
 * notification sees them): a draft's deletion, shares, inbound mail, escalations, erasure, payout bookkeeping, the
 * seller's own listing edits.
 */
export const AUDIT_ONLY_EVENTS = [
  "contract.deleted",
  "contract.email_received",
  "contract.escalated",
  "contract.party_erased",
  "contract.share_revoked",
  "contract.shared",
  "escrow.party_erased",
  "escrow.payment_refund_failed",
  "escrow.payment_refund_retried",
  "escrow.payment_refunded",
  "escrow.payout_requested",
  "escrow.payout_retried",
  "escrow.provider_event_not_applied",
  "escrow.vault_rewrapped",
  "listing.adopted",
  "listing.created",
  "listing.updated",
  "listing.proof_added",
  "listing.deleted",
] as const;
export type AuditOnlyEventType = (typeof AUDIT_ONLY_EVENTS)[number];
/** Every name an aggregate's audit trail may hold: the published events and the audit-only ones. */
export type AuditEventType = EventType | AuditOnlyEventType;

/** The published events of one aggregate kind, e.g. EventOf<"escrow"> = "escrow.created" | "escrow.funded" | … */
export type EventOf<K extends string> = Extract<EventType, `${K}.${string}`>;
/** Events that go to the personal live feed only: never a webhook, an email or an in-app notification (API.md). */
export const FEED_ONLY_EVENT_TYPES: readonly EventType[] = ["report.progress", "report.ready", "export.ready"];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOG, type);
}

/** What the event is about; consumers use it to find who may see the event. */
export const eventSubjectSchema = z.object({
  type: z.enum(["contract", "escrow", "listing", "anchor", "webhook_endpoint", "user"]),
  id: z.string().min(1).max(100),
});
export type EventSubject = z.infer<typeof eventSubjectSchema>;

/** An event as consumers receive it (the payload of an EVENTS message, plus its id and time). */
export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  data: EventData<T>;
  actorId: string | null;
  subject: EventSubject;
  /** User ids the producer says must hear of it (e.g. the next signer); consumers may add parties. */
  audience: string[];
  occurredAt: string;
}

export const eventPayloadSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  actorId: z.string().nullable(),
  subject: eventSubjectSchema,
  audience: z.array(z.string()).max(1000),
  occurredAt: z.string(),
});

export type EventValidation<T extends EventType> =
  | { success: true; data: EventData<T> }
  | { success: false; issues: { path: string; message: string }[] };

/** Validates `data` for `type`; unknown types are rejected like bad data. */
export function validateEventData<T extends EventType>(type: T | string, data: unknown): EventValidation<T> {
  if (!isEventType(type))
    return { success: false, issues: [{ path: "type", message: `unknown event type "${type}"` }] };
  const parsed = EVENT_CATALOG[type].safeParse(data);
  if (parsed.success) return { success: true, data: parsed.data as EventData<T> };
  return {
    success: false,
    issues: parsed.error.issues.map((i) => ({ path: ["data", ...i.path.map(String)].join("."), message: i.message })),
  };
}

/**
 * Audit-log events: actions of the security and administration audit log (audit_logs.action, GET /audit/logs) that
 * no aggregate emits — sign-ins and their failures, credentials, account changes, teams, partner integrations and
 * operators' interventions. Named here beside the domain events so the audit log's vocabulary has one catalog; every
 * published domain event above is recorded in the audit log under its own type too (AuditAction).
 */
export const AUDIT_LOG_EVENTS = {
  "auth.registered": "an account was registered with a password",
  "auth.email_verified": "an account's email address was verified with the emailed code",
  "auth.email_verification.failed": "a wrong email verification code was entered",
  "auth.email_verification.resent": "a new email verification code was sent",
  "auth.unverified_account.replaced":
    "an unverified account was replaced by a registration or provider sign-in that proved the address",
  "auth.unverified_account.expired": "an unverified account passed its verification deadline and was removed",
  "auth.login.succeeded": "a person signed in (password, MFA or external provider)",
  "auth.login.failed":
    "a sign-in was refused (data.reason: unknown_email, bad_password, bad_mfa_code, locked, suspended)",
  "auth.account.locked": "repeated failures locked sign-in for an address (data.lockedUntil)",
  "auth.logout": "a session ended by its owner",
  "auth.session.revoked": "a session was revoked",
  "auth.refresh.reused": "a rotated refresh token was reused; the session was revoked",
  "auth.password.changed": "password changed",
  "auth.password.change_failed": "a password change gave a wrong current password",
  "auth.password.reset": "password reset through the emailed link",
  "auth.password.reset_requested": "a password reset link was requested (data.known: whether the address has one)",
  "auth.mfa.enabled": "MFA turned on",
  "auth.mfa.disabled": "MFA turned off",
  "auth.identity.link_started": "linking an external sign-in provider to the account was started",
  "auth.identity.linked": "an external sign-in provider was linked to the account",
  "auth.identity.unlinked": "an external sign-in provider was unlinked from the account",
  "api_key.created": "an API key was minted",
  "api_key.used": "an API key authenticated a request (recorded at most once a minute per key)",
  "api_key.rotated": "an API key was rotated",
  "api_key.revoked": "an API key was revoked",
  "oauth_application.created": "an OAuth application was registered",
  "oauth_application.updated": "an OAuth application was changed",
  "oauth_application.deleted": "an OAuth application was deleted",
  "oauth.consent_granted": "a user granted an OAuth application access",
  "oauth.authorization_revoked": "a user revoked an OAuth application's access",
  "oauth.code_replayed": "an authorization code was used twice; the authorization it issued was revoked",
  "oauth.refresh_token_reused": "a rotated OAuth refresh token was reused; its authorization was revoked",
  "webhook_endpoint.created": "a webhook endpoint was created",
  "webhook_endpoint.updated": "a webhook endpoint was changed",
  "webhook_endpoint.secret_rotated": "a webhook endpoint's signing secret was rotated",
  "webhook_endpoint.deleted": "a webhook endpoint was deleted",
  "user.profile.updated": "a user changed their profile",
  "user.avatar.updated": "a user changed their avatar",
  "user.phone.code_sent": "a phone verification code was sent",
  "user.phone.verification_failed": "a wrong phone verification code was entered",
  "user.phone.verified": "a phone number was verified",
  "user.payout_account.set": "a user set their payout account",
  "user.payout_account.removed": "a user removed their payout account",
  "user.data.export_requested": "a user asked for an export of their data",
  "user.data.exported": "a user's data export was produced",
  "user.erased": "a user's account was erased",
  "user.erasure.failed": "an erasure request was refused (data.reason)",
  "team.created": "a team was created",
  "team.updated": "a team was renamed or changed",
  "team.deleted": "a team was deleted",
  "team.member.invited": "someone was invited to a team",
  "team.invitation.revoked": "a team invitation was revoked",
  "team.member.joined": "an invitee joined a team",
  "team.member.role_changed": "a team member's role changed",
  "team.member.left": "a member left a team",
  "team.member.removed": "a member was removed from a team",
  "admin.user.role_changed": "a user's global role changed (data.from, data.to)",
  "admin.user.suspended": "an admin suspended a user",
  "admin.user.unsuspended": "an admin lifted a suspension",
  "listing.approve": "an admin approved a listing under review (data.reason)",
  "listing.reject": "an admin rejected a listing under review (data.reason)",
  "listing.request_info": "an admin asked a listing's seller for more information (data.reason)",
  "escrow.release": "an admin released an escrow's funds to the seller",
  "escrow.refund": "an admin refunded an escrow to the buyer",
  "payment.refund": "an admin refunded a payment no escrow matched",
  "anchor.batch_triggered": "an admin started an anchoring batch ahead of the schedule",
  "dead_letter.replayed": "an operator replayed a dead-lettered message",
  "retention_policy.created": "a data retention policy was created",
  "retention_policy.updated": "a data retention policy was changed",
  "retention_policy.deleted": "a data retention policy was deleted",
  "retention.applied": "the retention job removed data past its policy's period",
  "audit.exported": "someone exported the audit log (data.format, data.filters)",
} as const;
export type AuditLogEvent = keyof typeof AUDIT_LOG_EVENTS;
/** Every action the audit log may hold: a published domain event, or an audit-log event. */
export type AuditAction = EventType | AuditLogEvent;

// The signing half of ContractRoom outside its class: the room's signing bookkeeping table, freezing the
// document at send, the parties' user ids (event audience), the execution record, and the emails to parties
// (which commands put in their decision, so the room's outbox sends them).
import { verifiedUserIdsByEmails } from "../../src/db/users";
import type { Bindings } from "../../src/env";
import type { ContractState, Signer } from "../../src/domain/contract-machine";
import { contractView, signerView } from "../../src/domain/contract-view";
import { executionHash } from "../../src/domain/execution-hash";
import { nextReminderAt, type SigningInfo } from "../../src/domain/routing";
import { frozenDocumentKey, renderContractPdf } from "../../src/lib/contract-pdf";
import { assertRenderable, assetFontLoader } from "../../src/lib/fonts";
import { sha256Hex } from "../../src/lib/crypto";
import type { SendEmailInput } from "../../src/lib/email";
import { issueSigningToken } from "../../src/lib/signing-token";
import { signingUrl } from "../../src/lib/signing-link";

export const SIGNING_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS signing_info (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     info TEXT NOT NULL)`,
];

export function loadSigningInfo(sql: SqlStorage): SigningInfo | null {
  const row = sql.exec<{ info: string }>("SELECT info FROM signing_info WHERE id = 1").toArray()[0];
  return row ? (JSON.parse(row.info) as SigningInfo) : null;
}

export function saveSigningInfo(sql: SqlStorage, info: SigningInfo): void {
  sql.exec(
    "INSERT INTO signing_info (id, info) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET info = excluded.info",
    JSON.stringify(info),
  );
}

/** D1 statements keeping signing_schedule (what the reminders cron reads) in step with the room. */
export function scheduleStatements(
  state: ContractState,
  info: SigningInfo | null,
): { sql: string; params: unknown[] }[] {
  const due = nextReminderAt(state, info);
  if (due === null) return [{ sql: "DELETE FROM signing_schedule WHERE contract_id = ?", params: [state.id] }];
  return [
    {
      sql: "INSERT INTO signing_schedule (contract_id, next_due_at) VALUES (?, ?) ON CONFLICT (contract_id) DO UPDATE SET next_due_at = excluded.next_due_at",
      params: [state.id, due],
    },
  ];
}

/** Renders the document as it will be sent (with its final parties), stores it in R2, returns its SHA-256 (hex).
 * @throws ApiError VAL001 naming each field (title, body, signers.N.name…) that holds a character no font covers:
 * text from a template's variables or saved before the check reaches the PDF only here. */
export async function freezeDocument(env: Bindings, state: ContractState, signers: Signer[]): Promise<string> {
  assertRenderable({
    title: state.title,
    description: state.description,
    body: state.body,
    ...Object.fromEntries(signers.map((s, i) => [`signers.${i}.name`, s.name])),
  });
  const pdf = await renderContractPdf(
    { ...contractView({ ...state, signers }), signers: signers.map(signerView) },
    assetFontLoader(env.ASSETS),
  );
  await env.DOCUMENTS.put(frozenDocumentKey(state.id), pdf, { httpMetadata: { contentType: "application/pdf" } });
  return sha256Hex(pdf);
}

/** The owner and every party with a verified account: who the contract's events are for. */
export async function partyAudience(
  env: Bindings,
  state: Pick<ContractState, "ownerId" | "signers">,
): Promise<string[]> {
  const ids = await verifiedUserIdsByEmails(
    env.DB,
    state.signers.map((s) => s.email.toLowerCase()),
  );
  return [...new Set([state.ownerId, ...ids])];
}

/** The signatures in signing order, as committed to by the execution hash. */
export function signaturesInOrder(state: ContractState): Record<string, unknown>[] {
  return state.signers
    .filter((s) => s.status === "signed" && s.signature)
    .sort((a, b) => (a.signedAt ?? "").localeCompare(b.signedAt ?? "") || a.order - b.order || a.id.localeCompare(b.id))
    .map((s) => ({ signerId: s.id, role: s.role, signedAt: s.signedAt, signature: s.signature }));
}

/** The execution record (escra-execution-v2), as the contract.execution_recorded event's data holds it. */
export interface ExecutionRecord {
  /** 0x + 64 hex: the value anchored as the contract's "execution" record. */
  executionHash: string;
  /** SHA-256 (hex) of the executed PDF, the exact sealed bytes GET /contracts/:id/executed-document serves. */
  executedDocumentHash: string;
  /** SHA-256 (hex) of the frozen PDF the signatures are over. */
  documentHash: string;
  /** The audit chain head the record commits to: the last event before contract.execution_recorded. */
  auditHead: string;
  auditSeq: number;
}

/**
 * Execution record of an active contract once its executed PDF is final: over the audit chain as it stood before
 * this command, the frozen document's hash (what was signed), the executed PDF's hash (what the parties hold) and the
 * signatures.
 */
export function executionRecord(state: ContractState, sql: SqlStorage, executedDocumentHash: string): ExecutionRecord {
  const head = sql
    .exec<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    .toArray()[0]!;
  const executed = executedDocumentHash.replace(/^0x/i, "").toLowerCase();
  const hash = executionHash({
    documentHash: state.documentHash!,
    executedDocumentHash: executed,
    signatures: signaturesInOrder(state),
    auditHead: head.hash,
  });
  return {
    executionHash: hash,
    executedDocumentHash: executed,
    documentHash: state.documentHash!,
    auditHead: head.hash,
    auditSeq: head.seq,
  };
}

/** The contract's execution record, read from its contract.execution_recorded audit event; null before it exists. */
export function findExecutionRecord(sql: SqlStorage): ExecutionRecord | null {
  const row = sql
    .exec<{ data: string }>(
      "SELECT data FROM audit_events WHERE type = 'contract.execution_recorded' ORDER BY seq DESC LIMIT 1",
    )
    .toArray()[0];
  if (!row) return null;
  const d = JSON.parse(row.data) as Partial<ExecutionRecord>;
  return {
    executionHash: d.executionHash!,
    executedDocumentHash: d.executedDocumentHash!,
    documentHash: d.documentHash!,
    auditHead: d.auditHead!,
    auditSeq: d.auditSeq!,
  };
}

export type PartyEmail = "request" | "reminder" | "copy";

/** Who sent the contract (its owner), as the parties' emails name them; null when the account is gone. */
export interface Sender {
  name: string;
  email: string;
}

/** The owner's name and email, read before a command (commands are synchronous) for the parties' emails. */
export async function senderOf(env: Bindings, state: Pick<ContractState, "ownerId">): Promise<Sender | null> {
  return env.DB.prepare("SELECT name, email FROM users WHERE id = ? AND deleted_at IS NULL")
    .bind(state.ownerId)
    .first<Sender>();
}

/**
 * The emails to parties (signing request, reminder, or a viewer's copy), each with its personal signing link
 * (lib/signing-link.ts: the hosted page or the integrator's). Built inside the command (signing tokens are
 * synchronous HMACs) so they go out through the room's outbox with the change.
 */
export function partyEmails(
  env: Bindings,
  state: ContractState,
  parties: Signer[],
  kind: PartyEmail,
  from: { sender: Sender | null; message?: string | null } = { sender: null },
): SendEmailInput<"signing-request">[] {
  return parties.map((party) => ({
    to: party.email,
    template: "signing-request",
    data: {
      kind,
      role: party.role,
      title: state.title,
      recipientName: party.name,
      senderName: from.sender?.name ?? "The sender",
      senderEmail: from.sender?.email ?? null,
      message: from.message ?? null,
      deadline: state.expiresAt,
      url: signingUrl(env, {
        contractId: state.id,
        signerId: party.id,
        token: issueSigningToken(env, state.id, party.id),
      }),
      documentHash: state.documentHash,
    },
  }));
}

/**
 * Once the executed PDF is final and its execution record made, every party (with an account or only a link) gets
 * the executed document and the certificate:
 * links to the hosted page with a fresh signing token, which downloads either file (`download=` in the query).
 */
export function executedEmails(
  env: Bindings,
  state: ContractState,
  execution: Pick<ExecutionRecord, "executionHash" | "executedDocumentHash">,
): SendEmailInput<"contract-executed">[] {
  return state.signers.map((party) => {
    const url = signingUrl(env, {
      contractId: state.id,
      signerId: party.id,
      token: issueSigningToken(env, state.id, party.id),
    });
    const withDownload = (what: string) => `${url}${url.includes("?") ? "&" : "?"}download=${what}`;
    return {
      to: party.email,
      template: "contract-executed",
      data: {
        title: state.title,
        recipientName: party.name,
        executedUrl: withDownload("executed"),
        certificateUrl: withDownload("certificate"),
        documentHash: state.documentHash,
        executedDocumentHash: execution.executedDocumentHash,
        executionHash: execution.executionHash,
      },
      // Sent for the owner: if they are suspended or erased before it goes out, it does not.
      onBehalfOf: state.ownerId,
    };
  });
}

/** The notice template takes at most this many lines: the intro and up to this many parties less one. */
const NOTICE_MAX_LINES = 20;

/** Tells the owner who is blocking the contract (a long list ends with how many more there are). */
export function escalationEmail(
  env: Bindings,
  state: ContractState,
  ownerEmail: string,
  blocking: Signer[],
): SendEmailInput<"notice"> {
  const listed = blocking.length < NOTICE_MAX_LINES ? blocking : blocking.slice(0, NOTICE_MAX_LINES - 2);
  const more = blocking.length - listed.length;
  return {
    to: ownerEmail,
    template: "notice",
    data: {
      subject: `"${state.title}" is waiting on ${blocking.length} part${blocking.length === 1 ? "y" : "ies"}`.slice(
        0,
        200,
      ),
      heading: "Your contract is blocked",
      lines: [
        `"${state.title}" is still waiting for:`,
        ...listed.map((s) => `${s.name} <${s.email}> (${s.role})`),
        ...(more > 0 ? [`…and ${more} more`] : []),
      ],
      action: { label: "Open the contract", url: `${env.PUBLIC_BASE_URL}/contracts/${state.id}` },
    },
    userId: state.ownerId,
  };
}

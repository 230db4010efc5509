// The contract's state machine and drafting rules: pure functions over ContractState, run inside ContractRoom.
// Statuses: draft → pending → active → completed; cancelled from draft, pending or active.
import { ApiError, fail } from "../lib/errors";
import { CONTRACT_STATUSES } from "./events";

export type ContractStatus = (typeof CONTRACT_STATUSES)[number];
export { CONTRACT_STATUSES };

export const SIGNER_ROLES = ["signer", "approver", "viewer"] as const;
export type SignerRole = (typeof SIGNER_ROLES)[number];
export const SIGNER_STATUSES = ["waiting", "notified", "signed", "declined"] as const;
export type SignerStatus = (typeof SIGNER_STATUSES)[number];

export interface Money {
  amount: number;
  currency: string;
}

export interface Signer {
  id: string;
  email: string;
  name: string;
  role: SignerRole;
  order: number;
  status: SignerStatus;
  signedAt: string | null;
  /** Filled by signing (issue 5); opaque to drafting. */
  signature: Record<string, unknown> | null;
}

export interface AttachmentMeta {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}

export interface Share {
  id: string;
  email: string;
  userId: string | null;
  permission: "view" | "edit";
  createdBy: string;
  createdAt: string;
}

/** The fields a draft version captures; PATCH may change any of them. */
export interface DraftContent {
  title: string;
  type: string;
  description: string | null;
  body: string;
  variables: Record<string, string>;
  value: Money | null;
  tags: string[];
  category: string | null;
  expiresAt: string | null;
}

export interface ContractState extends DraftContent {
  id: string;
  status: ContractStatus;
  version: number;
  ownerId: string;
  teamId: string | null;
  templateId: string | null;
  templateVersion: number | null;
  signers: Signer[];
  attachments: AttachmentMeta[];
  shares: Share[];
  documentHash: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  activatedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  /** Set when a draft is deleted: the room keeps its audit trail but refuses every further command. */
  deletedAt: string | null;
}

export interface ContractVersion extends DraftContent {
  version: number;
  authorId: string;
  createdAt: string;
}

const TRANSITIONS: Record<ContractStatus, readonly ContractStatus[]> = {
  draft: ["pending", "cancelled"],
  pending: ["active", "cancelled"],
  active: ["completed", "cancelled"],
  completed: [],
  cancelled: [],
};

export function canTransition(from: ContractStatus, to: ContractStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: ContractStatus, to: ContractStatus): void {
  if (!canTransition(from, to)) {
    throw fail.conflict(`A ${from} contract cannot become ${to}`, { status: from, to });
  }
}

/** Drafting commands (edit, delete, signers) are only allowed while the contract is a draft. */
/**
 * Whether the contract was executed: every required party signed (it was activated) on a frozen document. Completion
 * or a later cancellation does not undo a signing, so the executed PDF, its execution record and the certificate
 * exist from activation on whatever the status became.
 */
export function wasExecuted<T extends Pick<ContractState, "activatedAt" | "documentHash">>(
  state: T,
): state is T & { activatedAt: string; documentHash: string } {
  return state.activatedAt !== null && state.documentHash !== null;
}

export function assertDraft(state: ContractState, action: string): void {
  if (state.status !== "draft") {
    throw fail.conflict(`Only a draft can be ${action}; this contract is ${state.status}`, { status: state.status });
  }
}

export interface NewSigner {
  id: string;
  email: string;
  name: string;
  role?: SignerRole;
  order?: number;
}

export interface NewContract extends Partial<DraftContent> {
  id: string;
  title: string;
  type: string;
  body: string;
  ownerId: string;
  teamId?: string | null;
  templateId?: string | null;
  templateVersion?: number | null;
  signers?: NewSigner[];
}

/** Emails compare case-insensitively; stored lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Normalised, de-duplicated tags (case-insensitive), in first-seen order. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const t = tag.trim().toLowerCase();
    if (t) seen.add(t);
  }
  return [...seen];
}

function toSigner(input: NewSigner): Signer {
  return {
    id: input.id,
    email: normalizeEmail(input.email),
    name: input.name.trim(),
    role: input.role ?? "signer",
    order: input.order ?? 1,
    status: "waiting",
    signedAt: null,
    signature: null,
  };
}

/** Signers with the same email in one request are invalid input (VAL001 naming the later one). */
export function duplicateSignerDetails(signers: readonly { email: string }[], path = "signers") {
  const seen = new Set<string>();
  const details: { path: string; message: string }[] = [];
  signers.forEach((s, i) => {
    const email = normalizeEmail(s.email);
    if (seen.has(email)) details.push({ path: `${path}.${i}.email`, message: `duplicate signer ${email}` });
    seen.add(email);
  });
  return details;
}

export function createDraft(input: NewContract, now: string): ContractState {
  const signers = input.signers ?? [];
  const duplicates = duplicateSignerDetails(signers);
  if (duplicates.length) throw fail.invalid(duplicates);
  return {
    id: input.id,
    title: input.title.trim(),
    type: input.type,
    description: input.description ?? null,
    body: input.body,
    variables: input.variables ?? {},
    value: input.value ?? null,
    tags: normalizeTags(input.tags ?? []),
    category: input.category ?? null,
    expiresAt: input.expiresAt ?? null,
    status: "draft",
    version: 1,
    ownerId: input.ownerId,
    teamId: input.teamId ?? null,
    templateId: input.templateId ?? null,
    templateVersion: input.templateVersion ?? null,
    signers: signers.map(toSigner),
    attachments: [],
    shares: [],
    documentHash: null,
    createdAt: now,
    updatedAt: now,
    sentAt: null,
    activatedAt: null,
    completedAt: null,
    cancelledAt: null,
    cancelReason: null,
    deletedAt: null,
  };
}

export type DraftPatch = Partial<DraftContent>;

/** Applies a draft edit: every edit is a new version, even one that changes nothing visible. */
export function applyPatch(state: ContractState, patch: DraftPatch, now: string): ContractState {
  assertDraft(state, "edited");
  const next: ContractState = { ...state, version: state.version + 1, updatedAt: now };
  if (patch.title !== undefined) next.title = patch.title.trim();
  if (patch.type !== undefined) next.type = patch.type;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.body !== undefined) next.body = patch.body;
  if (patch.variables !== undefined) next.variables = patch.variables;
  if (patch.value !== undefined) next.value = patch.value;
  if (patch.tags !== undefined) next.tags = normalizeTags(patch.tags);
  if (patch.category !== undefined) next.category = patch.category;
  if (patch.expiresAt !== undefined) next.expiresAt = patch.expiresAt;
  return next;
}

export function draftContent(state: ContractState): DraftContent {
  const { title, type, description, body, variables, value, tags, category, expiresAt } = state;
  return { title, type, description, body, variables, value, tags, category, expiresAt };
}

export function versionOf(state: ContractState, authorId: string): ContractVersion {
  return { ...draftContent(state), version: state.version, authorId, createdAt: state.updatedAt };
}

/** Parties (signers, approvers, viewers) a contract may have; POST /contracts takes at most as many. */
export const MAX_SIGNERS = 50;

/**
 * Adds a signer to a draft; the same email twice, or a party beyond MAX_SIGNERS, is a conflict (RES002).
 * The ContractRoom runs this one request at a time, so concurrent adds cannot pass the cap together.
 */
export function addSigner(state: ContractState, input: NewSigner, now: string): ContractState {
  assertDraft(state, "given signers");
  if (state.signers.length >= MAX_SIGNERS) {
    throw fail.conflict(`A contract has at most ${MAX_SIGNERS} parties`, { max: MAX_SIGNERS });
  }
  const signer = toSigner(input);
  if (state.signers.some((s) => s.email === signer.email)) {
    throw fail.conflict(`${signer.email} is already a party to this contract`, { email: signer.email });
  }
  return { ...state, signers: [...state.signers, signer], updatedAt: now };
}

export function removeSigner(state: ContractState, signerId: string, now: string): ContractState {
  assertDraft(state, "changed");
  if (!state.signers.some((s) => s.id === signerId)) throw fail.notFound("Signer");
  return { ...state, signers: state.signers.filter((s) => s.id !== signerId), updatedAt: now };
}

export function deleteDraft(state: ContractState, now: string): ContractState {
  assertDraft(state, "deleted");
  return { ...state, deletedAt: now, updatedAt: now };
}

export function cancel(state: ContractState, reason: string | null, now: string): ContractState {
  assertTransition(state.status, "cancelled");
  return { ...state, status: "cancelled", cancelledAt: now, cancelReason: reason, updatedAt: now };
}

export function addAttachment(state: ContractState, attachment: AttachmentMeta, now: string): ContractState {
  assertDraft(state, "given attachments");
  if (state.attachments.some((a) => a.id === attachment.id)) throw fail.conflict("Attachment already recorded");
  return { ...state, attachments: [...state.attachments, attachment], updatedAt: now };
}

/** Shares are allowed in any status (a party may want a copy viewed by counsel); one per email, latest wins. */
export function share(state: ContractState, entry: Share, now: string): ContractState {
  if (normalizeEmail(entry.email) === "") throw new ApiError("VAL001", "Email required");
  const others = state.shares.filter((s) => s.email !== entry.email);
  return { ...state, shares: [...others, entry], updatedAt: now };
}

export function revokeShare(state: ContractState, shareId: string, now: string): ContractState {
  if (!state.shares.some((s) => s.id === shareId)) throw fail.notFound("Share");
  return { ...state, shares: state.shares.filter((s) => s.id !== shareId), updatedAt: now };
}

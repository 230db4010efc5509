// The API's `contract` object (API.md "Contracts and templates"), built from the room's state or its D1 projection.
import type { AttachmentMeta, ContractState, Signer } from "./contract-machine";
import { normalizeInstant } from "./time";

export type ContractView = ReturnType<typeof contractView>;

export function signerView(s: Signer) {
  return {
    id: s.id,
    email: s.email,
    name: s.name,
    role: s.role,
    order: s.order,
    status: s.status,
    signedAt: s.signedAt,
    signature: s.signature,
  };
}

export function attachmentView(a: AttachmentMeta) {
  return { id: a.id, name: a.name, contentType: a.contentType, size: a.size, sha256: a.sha256, createdAt: a.createdAt };
}

export function contractView(state: Omit<ContractState, "deletedAt" | "shares">) {
  return {
    id: state.id,
    title: state.title,
    type: state.type,
    description: state.description,
    status: state.status,
    version: state.version,
    ownerId: state.ownerId,
    teamId: state.teamId,
    templateId: state.templateId,
    templateVersion: state.templateVersion,
    body: state.body,
    variables: state.variables,
    value: state.value,
    tags: state.tags,
    category: state.category,
    signers: [...state.signers].sort((a, b) => a.order - b.order).map(signerView),
    attachments: state.attachments.map(attachmentView),
    documentHash: state.documentHash,
    // Rooms created before times were normalised at the boundary may hold an offset; the API answers UTC.
    expiresAt: normalizeInstant(state.expiresAt),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    sentAt: state.sentAt,
    activatedAt: state.activatedAt,
    completedAt: state.completedAt,
    cancelledAt: state.cancelledAt,
    cancelReason: state.cancelReason,
  };
}

/** Who sent the contract for signature, as a party sees it. */
export interface RequestedBy {
  name: string;
  email: string;
}

/**
 * The signer view (API.md: what a signing token may read of `GET /contracts/:id`): the contract, every party's
 * name, role, order and status, but only the reader's own signature record (others' hold IPs and user agents);
 * plus `party`: who the reader is, whether it is their turn to act, and who asked.
 */
export function partyView(contract: ContractView, signerId: string, requestedBy: RequestedBy | null) {
  const required = contract.signers.filter((s) => s.role !== "viewer" && s.status !== "signed");
  const turn = required.length ? Math.min(...required.map((s) => s.order)) : null;
  const me = contract.signers.find((s) => s.id === signerId)!;
  const mayAct =
    contract.status === "pending" &&
    me.role !== "viewer" &&
    me.order === turn &&
    (me.status === "notified" || me.status === "waiting");
  return {
    ...contract,
    signers: contract.signers.map((s) => (s.id === signerId ? s : { ...s, signature: null })),
    party: { signerId, role: me.role, status: me.status, mayAct, requestedBy },
  };
}

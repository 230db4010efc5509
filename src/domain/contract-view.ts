// The API's `contract` object (API.md "Contracts and templates"), built from the room's state or its D1 projection
// by picking the fields of its one schema (schemas/contracts.ts: contractSchema, signerSchema, attachmentSchema).
import type { z } from "@hono/zod-openapi";
import type { AttachmentMeta, ContractState, Signer } from "./contract-machine";
import { ELECTRONIC_SIGNATURE_CONSENT } from "./consent";
import { normalizeInstant } from "./time";
import { attachmentSchema, contractSchema, signerSchema } from "../schemas/contracts";
import { viewPicker } from "../lib/view";

export type ContractView = z.infer<typeof contractSchema>;

export const signerView: (s: Signer) => z.infer<typeof signerSchema> = viewPicker(signerSchema);

export const attachmentView: (a: AttachmentMeta) => z.infer<typeof attachmentSchema> = viewPicker(attachmentSchema);

const contractFields = viewPicker(contractSchema);

export function contractView(state: Omit<ContractState, "deletedAt" | "shares">): ContractView {
  return contractFields({
    ...state,
    signers: [...state.signers].sort((a, b) => a.order - b.order).map(signerView),
    attachments: state.attachments.map(attachmentView),
    // Rooms created before times were normalised at the boundary may hold an offset; the API answers UTC.
    expiresAt: normalizeInstant(state.expiresAt),
  });
}

/** Who sent the contract for signature, as a party sees it. */
export interface RequestedBy {
  name: string;
  email: string;
}

/**
 * The signer view (API.md: what a signing token may read of `GET /contracts/:id`): the contract, every party's
 * name, role, order and status, but only the reader's own signature record (others' hold IPs and user agents);
 * plus `party`: who the reader is, whether it is their turn to act, who asked, and the consent wording to show.
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
    party: { signerId, role: me.role, status: me.status, mayAct, requestedBy, consent: ELECTRONIC_SIGNATURE_CONSENT },
  };
}

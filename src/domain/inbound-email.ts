// Inbound contract mail, the pure parts: which contract an address names, who may write to it, and what the
// audit records about a message.

/** What a contract's audit keeps of a message mailed to it (never the body: it may hold anything). */
export interface InboundEmailRecord {
  messageId: string;
  from: string;
  subject: string;
  attachments: { id: string; name: string; sha256: string; size: number }[];
}

/** At most this many attachments per message; more looks like abuse, not a party sharing documents. */
export const MAX_INBOUND_ATTACHMENTS = 10;

/** The contract id in `contract+<ctr_id>@<domain>` (domain compared case-insensitively), else null. */
export function contractIdFromAddress(address: string, domain: string): string | null {
  const at = address.lastIndexOf("@");
  if (at < 0) return null;
  const local = address.slice(0, at);
  const host = address.slice(at + 1).toLowerCase();
  if (host !== domain.toLowerCase()) return null;
  const match = /^contract\+(ctr_[0-9A-Za-z]{20})$/i.exec(local);
  if (!match) return null;
  // The id itself is case-sensitive; only the "contract" tag may arrive in another case.
  return `ctr_${match[1]!.slice(4)}`;
}

export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** A party: the owner or a signer, by address. */
export function isParty(sender: string, parties: readonly string[]): boolean {
  const from = normaliseAddress(sender);
  return from !== "" && parties.some((p) => normaliseAddress(p) === from);
}

// Erasure of a person from one contract's state: their signer rows and shares keep their ids, roles, statuses and
// signature records (the executed document and its certificate are evidence the law requires to keep), but name
// and email become the erased user's pseudonym, so no other party sees them and the freed address matches nothing.
// Text typed into the contract (title, description, body, variables, tags) that names them — by address or by a
// name they used — is rewritten the same way, so neither the D1 projection nor its full-text index holds it.
import type { ContractState, Signer } from "./contract-machine";

export interface PartyPseudonym {
  /** Lower-cased address being erased. */
  email: string;
  pseudonymEmail: string;
  pseudonymName: string;
  /** Other names the person used (their profile name); signer names of their rows are added by the rule. */
  names?: string[];
}

/** Names shorter than this are not searched for in free text: "Al" would rewrite every "also". */
export const MIN_REDACTED_NAME_LENGTH = 3;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Replaces, case-insensitively, every occurrence of `email` by `pseudonymEmail` and every whole-word occurrence of
 * each name (at least MIN_REDACTED_NAME_LENGTH characters, longest first) by `pseudonymName`.
 */
export function redactText(
  text: string,
  p: { email: string; pseudonymEmail: string; pseudonymName: string },
  names: readonly string[],
): string {
  let out = text.replace(new RegExp(escapeRegExp(p.email), "giu"), p.pseudonymEmail);
  const wanted = [...new Set(names.map((n) => n.trim()).filter((n) => n.length >= MIN_REDACTED_NAME_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  for (const name of wanted) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, "giu"), p.pseudonymName);
  }
  return out;
}

/**
 * A signature record after erasure: who and from where go (email → pseudonym; typed name, IP, user agent → null;
 * the value's hash stays), and the platform's countersignature becomes a detached JWS (RFC 7515 Appendix F: the
 * payload, which repeated those fields, is dropped; header and signature stay, so a copy of the original record
 * the signer holds still verifies against it).
 */
export function eraseSignatureRecord(record: Record<string, unknown>, pseudonymEmail: string): Record<string, unknown> {
  const cs = record.countersignature as { jws?: unknown } | undefined;
  const jws = typeof cs?.jws === "string" ? cs.jws.split(".") : null;
  return {
    ...record,
    ...("signerEmail" in record ? { signerEmail: pseudonymEmail } : {}),
    ...(record.type === "typed" ? { value: null } : {}),
    ...("ip" in record ? { ip: null } : {}),
    ...("userAgent" in record ? { userAgent: null } : {}),
    ...(cs && jws?.length === 3 ? { countersignature: { ...cs, jws: `${jws[0]}..${jws[2]}`, detached: true } } : {}),
  };
}

/**
 * @returns the contract with every signer and share of `email` pseudonymised and its text redacted, and the ids
 *   touched; `changed` is false (and the state the same object) when nothing on this contract names the person
 */
export function erasePartyFromContract(state: ContractState, p: PartyPseudonym, now: string) {
  const matches = (email: string) => email.toLowerCase() === p.email;
  const signerIds = state.signers.filter((s) => matches(s.email)).map((s) => s.id);
  const shareIds = state.shares.filter((s) => matches(s.email)).map((s) => s.id);
  const names = [...(p.names ?? []), ...state.signers.filter((s) => matches(s.email)).map((s) => s.name)];
  const redact = (text: string) => redactText(text, p, names);
  const eraseSigner = (s: Signer): Signer =>
    matches(s.email)
      ? {
          ...s,
          email: p.pseudonymEmail,
          name: p.pseudonymName,
          signature: s.signature ? eraseSignatureRecord(s.signature, p.pseudonymEmail) : null,
        }
      : s;
  const next: ContractState = {
    ...state,
    title: redact(state.title),
    description: state.description === null ? null : redact(state.description),
    body: redact(state.body),
    variables: Object.fromEntries(Object.entries(state.variables).map(([k, v]) => [k, redact(v)])),
    tags: state.tags.map(redact),
    signers: state.signers.map(eraseSigner),
    shares: state.shares.map((s) => (matches(s.email) ? { ...s, email: p.pseudonymEmail } : s)),
  };
  if (JSON.stringify(next) === JSON.stringify(state))
    return { changed: false as const, state, signerIds, shareIds, names };
  return { changed: true as const, state: { ...next, updatedAt: now }, signerIds, shareIds, names };
}

/** Applies `redact` to every string value (never to keys) of a JSON value; other values pass unchanged. */
export function redactJsonValues(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactJsonValues(v, redact));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactJsonValues(v, redact)]));
  }
  return value;
}

/** A JSON text with every string value redacted (same text back when nothing matched). */
export function redactJsonText(json: string, redact: (text: string) => string): string {
  const next = JSON.stringify(redactJsonValues(JSON.parse(json), redact));
  return next === JSON.stringify(JSON.parse(json)) ? json : next;
}

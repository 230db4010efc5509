// Erasure of a person from one contract's state: their signer rows and shares keep their ids, roles, statuses and
// signature records (the executed document and its certificate are evidence the law requires to keep), but name
// and email become the erased user's pseudonym, so no other party sees them and the freed address matches nothing.
import type { ContractState } from "./contract-machine";

export interface PartyPseudonym {
  /** Lower-cased address being erased. */
  email: string;
  pseudonymEmail: string;
  pseudonymName: string;
}

/**
 * @returns the contract with every signer and share of `email` pseudonymised, and the ids touched;
 *   `changed` is false (and the state the same object) when the person is not on this contract
 */
export function erasePartyFromContract(state: ContractState, p: PartyPseudonym, now: string) {
  const matches = (email: string) => email.toLowerCase() === p.email;
  const signerIds = state.signers.filter((s) => matches(s.email)).map((s) => s.id);
  const shareIds = state.shares.filter((s) => matches(s.email)).map((s) => s.id);
  if (signerIds.length === 0 && shareIds.length === 0) return { changed: false as const, state, signerIds, shareIds };
  const next: ContractState = {
    ...state,
    signers: state.signers.map((s) => (matches(s.email) ? { ...s, email: p.pseudonymEmail, name: p.pseudonymName } : s)),
    shares: state.shares.map((s) => (matches(s.email) ? { ...s, email: p.pseudonymEmail } : s)),
    updatedAt: now,
  };
  return { changed: true as const, state: next, signerIds, shareIds };
}

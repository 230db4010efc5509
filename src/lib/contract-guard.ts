// Route-side authorisation of one contract: RES001 when the caller may not see it, AUTH003 when they may see
// but not do this. Every contracts route module goes through requireContractAccess, or contractReader on the
// reads a party may make with its signing token (lib/signing-access.ts).
import type { Context } from "hono";
import type { AppEnv, Bindings, Principal } from "../env";
import { ApiError, fail } from "./errors";
import { principalOf } from "./auth";
import { db } from "../db/client";
import { findContract } from "../db/contracts";
import { atLeastAccess, contractAccess, contractWithAccess, type ContractAccess } from "../db/contract-access";
import type { ContractView } from "../domain/contract-view";

export async function requireContractAccess(
  env: Bindings,
  principal: Principal,
  contractId: string,
  min: Exclude<ContractAccess, "none">,
): Promise<ContractAccess> {
  const level = await contractAccess(env, principal, contractId);
  if (level === "none") throw fail.notFound("Contract");
  if (!atLeastAccess(level, min)) {
    throw new ApiError(
      "AUTH003",
      min === "owner" ? "Only the contract's owner may do this" : "You may only view this contract",
    );
  }
  return level;
}

/** Who reads: a party by its signing token (with the contract, already loaded), or an account with view access. */
export type ContractReader =
  | { kind: "party"; signerId: string; contract: ContractView }
  | { kind: "account"; principal: Principal; level: ContractAccess };

/**
 * Authorises a read of contract `id` on a route guarded by `partyReadable`: the signing token's party must still
 * be a party of this contract (RES001 otherwise); an account needs view access (requireContractAccess).
 */
export async function contractReader(c: Context<AppEnv>, id: string): Promise<ContractReader> {
  const party = c.get("signingParty");
  if (party) {
    const contract = party.contractId === id ? await findContract(db(c.env.DB), id) : null;
    if (!contract || !contract.signers.some((s) => s.id === party.signerId)) throw fail.notFound("Contract");
    return { kind: "party", signerId: party.signerId, contract };
  }
  const principal = principalOf(c);
  return { kind: "account", principal, level: await requireContractAccess(c.env, principal, id, "view") };
}

/**
 * An account's read of contract `id` with view access: the access check and the contract in one D1 batch
 * (contractWithAccess). RES001 when the caller may not see it or it does not exist, as requireContractAccess.
 */
export async function viewableContract(env: Bindings, principal: Principal, id: string): Promise<ContractView> {
  const { level, contract } = await contractWithAccess(env, principal, id);
  // Every level but "none" includes view.
  if (level === "none" || !contract) throw fail.notFound("Contract");
  return contract;
}

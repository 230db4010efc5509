// Route-side authorisation of one contract: RES001 when the caller may not see it, AUTH003 when they may see
// but not do this. Every contracts route module goes through requireContractAccess.
import type { Bindings, Principal } from "../env";
import { ApiError, fail } from "../lib/errors";
import { atLeastAccess, contractAccess, type ContractAccess } from "../db/contract-access";

export async function requireContractAccess(
  env: Bindings,
  principal: Principal,
  contractId: string,
  min: Exclude<ContractAccess, "none">,
): Promise<ContractAccess> {
  const level = await contractAccess(env, principal, contractId);
  if (level === "none") throw fail.notFound("Contract");
  if (!atLeastAccess(level, min)) {
    throw new ApiError("AUTH003", min === "owner" ? "Only the contract's owner may do this" : "You may only view this contract");
  }
  return level;
}

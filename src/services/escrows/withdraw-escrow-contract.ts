// An escrow that ends unfunded (cancelled or expired) takes its generated sale contract with it: nobody should be
// asked to sign terms for a deal that no longer exists. A contract the parties brought themselves stays theirs.
import type { Bindings } from "../../env";
import { ESCROW_CONTRACT_TEMPLATE } from "../../domain/escrow-contract";
import { contractRoom } from "../../../durable-objects/contract-room";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

/** Statuses from which a contract can still be cancelled (domain/contract-machine's transitions). */
const OPEN = new Set(["draft", "pending"]);

/**
 * Cancels the escrow's generated contract (template ESCROW_CONTRACT_TEMPLATE, owned by the buyer) while it is a
 * draft or pending, in the buyer's name, with a reason naming the escrow. Idempotent: a contract already ended,
 * signed or brought by the parties is left as it is, so a redelivered event changes nothing.
 * @param outcome "cancelled" | "expired" — the escrow event that ended it.
 */
export async function withdrawEscrowContract(
  env: Bindings,
  escrowId: string,
  outcome: "cancelled" | "expired",
): Promise<void> {
  const escrow = await escrowRoom(env, escrowId).get();
  if (!escrow?.contractId) return;
  const room = contractRoom(env, escrow.contractId);
  const contract = await room.get();
  if (!contract || contract.templateId !== ESCROW_CONTRACT_TEMPLATE || contract.ownerId !== escrow.buyerId) return;
  if (!OPEN.has(contract.status)) return;
  const result = await room.cancel(escrow.buyerId, `The escrow ${escrowId} was ${outcome} before it was funded`);
  // RES002: the contract moved on meanwhile (signed, cancelled by someone else): nothing left to withdraw.
  if (!result.ok && result.error.code === "RES002") return;
  unwrap(result);
}

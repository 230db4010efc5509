// An admin's resolution of a disputed escrow: release (the seller is paid) or refund (the buyer is refunded through
// the provider). The escrow's room decides whether the state allows it; the admin audit log records who chose what.
import type { Bindings } from "../../env";
import { recordAudit } from "../../lib/audit";
import type { EscrowState } from "../../domain/escrow-machine";
import { escrowRoom } from "../../../durable-objects/escrow-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";

export type DisputeResolution = "release" | "refund";

/**
 * Resolves escrow `escrowId` by `resolution`, on behalf of the admin `adminId`, with an optional `reason` (audited).
 * @returns the escrow's state after the transition
 * @throws ApiError RES001 unknown escrow; RES002 when its state allows no such resolution (escrow-machine.ts)
 */
export async function resolveDispute(
  env: Bindings,
  adminId: string,
  escrowId: string,
  resolution: DisputeResolution,
  reason: string | null,
): Promise<EscrowState> {
  const room = escrowRoom(env, escrowId);
  const admin = { userId: adminId, isAdmin: true };
  const state = unwrap(resolution === "release" ? await room.releaseFunds(admin) : await room.refund(admin, reason));
  await recordAudit(env, {
    action: resolution === "release" ? "escrow.release" : "escrow.refund",
    actorId: adminId,
    resourceType: "escrow",
    resourceId: escrowId,
    data: { reason },
  });
  return state;
}

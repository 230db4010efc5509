// Deleting a listing: its ListingRoom commits the deletion, then the proof files go from R2.
import type { Bindings } from "../../env";
import { listingRoom, type ListingCaller } from "../../../durable-objects/listing-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";
import { proofKey } from "./listing-proofs";

/**
 * @throws the room's refusal (RES002 when the listing's state does not allow deletion, AUTH003 for the caller)
 */
export async function deleteListing(env: Bindings, caller: ListingCaller, id: string): Promise<void> {
  const deleted = unwrap(await listingRoom(env, id).remove(id, caller));
  // The room committed the deletion; the bytes go after (a leftover object is unreachable, never a dangling row).
  if (deleted.proofs.length) await env.DOCUMENTS.delete(deleted.proofs.map((p) => proofKey(id, p.id)));
}

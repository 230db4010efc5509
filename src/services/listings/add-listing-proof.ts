// Attaching a proof to a listing: the bytes go to R2 first, then the ListingRoom records the proof; if the room
// refuses meanwhile (e.g. submitted in another tab) the stored bytes belong to nothing and are removed.
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { sha256Hex } from "../../lib/crypto";
import { listingRoom, type ListingCaller } from "../../../durable-objects/listing-room";
import { unwrap } from "../../../durable-objects/lib/rpc-result";
import { proofKey } from "./listing-proofs";

export interface ListingProofInput {
  /** the uploaded file's name (cut to 200 characters; empty → `proof.<ext>`) */
  name: string;
  bytes: Uint8Array;
  /** the sniffed type */
  type: { mime: string; ext: string };
}

/**
 * @returns the listing state with the proof recorded
 * @throws the room's refusal (RES002 when the listing's state does not take proofs)
 */
export async function addListingProof(env: Bindings, caller: ListingCaller, id: string, input: ListingProofInput) {
  const { bytes, type } = input;
  const proof = {
    id: newId("att"),
    name: input.name.slice(0, 200) || `proof.${type.ext}`,
    contentType: type.mime,
    size: bytes.length,
    sha256: sha256Hex(bytes),
    createdAt: new Date().toISOString(),
  };
  await env.DOCUMENTS.put(proofKey(id, proof.id), bytes, { httpMetadata: { contentType: type.mime } });
  const added = await listingRoom(env, id).addProof(id, caller, proof);
  if (!added.ok) await env.DOCUMENTS.delete(proofKey(id, proof.id));
  return unwrap(added);
}

// EVENTS consumer of the marketplace: a listing follows the escrow that reserved it — sold when the escrow
// completes, back in the catalog (approved) when it is cancelled, expires or is refunded. Always through the
// listing's ListingRoom, which ignores an escrow that does not hold the reservation, so redeliveries are harmless.
import type { DomainEvent, EventType } from "../domain/events";
import { listingRoom } from "../../durable-objects/listing-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import type { EventConsumer } from "./types";

/** What each escrow event means for the listing it reserved. */
export const LISTING_OUTCOMES: Partial<Record<EventType, "sell" | "unreserve">> = {
  "escrow.completed": "sell",
  "escrow.cancelled": "unreserve",
  "escrow.expired": "unreserve",
  "escrow.refunded": "unreserve",
};

export const listingEventsConsumer: EventConsumer = {
  name: "listing-events",
  async consume(event: DomainEvent, env) {
    const outcome = LISTING_OUTCOMES[event.type];
    const data = event.data as { escrowId?: string; listingId?: string | null };
    if (!outcome || !data.escrowId || !data.listingId) return;
    const result = await listingRoom(env, data.listingId).settle(data.listingId, data.escrowId, outcome);
    // RES001: the listing is gone (it cannot be deleted while reserved, so nothing is left to follow).
    if (!result.ok && result.error.code === "RES001") return;
    unwrap(result);
  },
};

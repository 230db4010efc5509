// Which rooms hold a user's live sockets, per session: kept in the user's UserFeed so that ending a session (logout,
// revocation, password reset, suspension, erasure) closes its sockets everywhere within seconds.
//
// Why push and not a faster poll: a poll every few seconds would wake every room with listeners (defeating
// hibernation) and cost one D1 read per session per room per period, whatever happens. Sessions end rarely;
// registering costs one RPC when a socket authenticates, and ending a session one RPC to the UserFeed plus one per
// room that registered it. The hub's 5-minute re-check stays as the backstop for a registration or a close that
// failed.
import type { Bindings } from "../../src/env";

export interface LiveRoomRef {
  kind: "contract" | "escrow";
  /** The room's idFromName name: the contract or escrow id. */
  name: string;
  sessionId: string;
}

/** Rows kept per user; beyond it the oldest registrations go (their sockets fall back to the periodic re-check). */
export const LIVE_REGISTRY_MAX_ROWS = 500;

/** Registers `room` as holding a socket of `userId`'s session (in that user's UserFeed). */
export async function trackLiveRoom(env: Bindings, userId: string, room: LiveRoomRef): Promise<void> {
  await env.USER_FEED.get(env.USER_FEED.idFromName(userId)).trackRoom(room);
}

/** The room's object, for UserFeed to call closeLiveSessions on it. */
export function liveRoomStub(env: Bindings, room: Pick<LiveRoomRef, "kind" | "name">) {
  const namespace = room.kind === "contract" ? env.CONTRACT_ROOM : env.ESCROW_ROOM;
  return namespace.get(namespace.idFromName(room.name));
}

// The live WebSocket protocol of API.md ("Live (WebSocket)"): limits, close codes, and the message shapes
// both sides exchange. Shared by the hub, the tests and the WebSocket bench so they cannot drift apart.
import { z } from "zod";

export const LIVE_LIMITS = {
  /** The first message must be `auth` within this long, else close 4001. */
  authTimeoutMs: 10_000,
  /** Sockets one user may hold open in one room; the next one is closed with 4008. */
  maxSocketsPerUser: 5,
  /** Events each room keeps for `resume`. */
  eventsHeld: 1_000,
  /** Event ids remembered for de-duplication of redelivered events (well beyond any queue retry window). */
  dedupeKeysHeld: 10_000,
  /**
   * How often an open socket's session is checked again (logout, revocation, suspension) and the room asked
   * again whether the user may still see it. Access tokens live 15 minutes; sockets would otherwise live forever.
   */
  recheckMs: 5 * 60_000,
  /** Client messages are tiny (a JWT is the largest); anything bigger is abuse. */
  maxClientMessageChars: 8_192,
} as const;

export const CLOSE_CODES = {
  /** Client closed normally, or we echo a close without a usable code. */
  normal: 1000,
  /** Binary frames are not part of the protocol. */
  unsupportedData: 1003,
  messageTooBig: 1009,
  /** No auth in time, a first message that is not auth, or a token that does not verify. */
  unauthenticated: 4001,
  /** Authenticated, but not allowed to see this room (or no longer allowed). */
  forbidden: 4003,
  /** The user already holds the maximum number of sockets in this room. */
  tooManyConnections: 4008,
} as const;

const timestamp = z.union([z.number(), z.string().max(64)]);

/** What a client may send. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auth"), payload: z.object({ token: z.string().min(1).max(4_096) }) }),
  z.object({ type: z.literal("ping"), timestamp: timestamp.optional() }),
  z.object({ type: z.literal("resume"), payload: z.object({ since: z.number().int().min(0) }) }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** An event as a room holds and broadcasts it. */
export interface LiveEvent {
  type: string;
  /** Gapless per-room sequence, starting at 1. */
  seq: number;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: unknown;
}

/** What the server sends. Events are sent as the bare LiveEvent (`type` is the event type). */
export type ServerMessage =
  | { type: "auth:success"; payload: { userId: string; permissions: string[] } }
  | { type: "pong"; timestamp: number | string | null }
  /**
   * Sent before a replay when events after `since` were already dropped (only the last 1,000 are held):
   * events `since + 1 … oldestSeq - 1` are lost to this client, who should reload the resource's state.
   */
  | { type: "resume:gap"; payload: { since: number; oldestSeq: number; latestSeq: number } }
  /** Ends every replay: everything up to `latestSeq` has now been sent. */
  | { type: "resume:done"; payload: { since: number; latestSeq: number; replayed: number } }
  /** A malformed message; the socket stays open. */
  | { type: "error"; payload: { code: "VAL001"; message: string } }
  | LiveEvent;

// Ending sessions on the live side: after D1 says a session ended, its sockets close in every room within seconds
// (the user's UserFeed closes its own and tells the rooms that registered the session; durable-objects/lib/
// live-registry.ts). Call it after the D1 write committed, from every flow that ends sessions.
import type { Bindings } from "../env";
import { CLOSE_CODES } from "../../durable-objects/lib/hub-protocol";
import { log } from "./request-context";

export type LiveEnd =
  /** Logout, revocation, password reset or change: close 4001 "session ended". */
  | { why: "session_ended"; sessionIds: string[] | null; exceptSessionId?: string | null }
  /** Suspension, erasure, a retired unverified account: close 4003 for every session. */
  | { why: "account_closed" };

/**
 * Closes the live sockets of a user's ended sessions. Never throws: the sessions are already dead in D1, and a
 * socket missed here is closed by its room's periodic re-check (at most 5 minutes later).
 * @param end which sessions (`sessionIds: null` = all the user's sessions, except `exceptSessionId`)
 */
export async function endLiveSessions(env: Bindings, userId: string, end: LiveEnd): Promise<void> {
  const input =
    end.why === "account_closed"
      ? { sessionIds: null, code: CLOSE_CODES.forbidden, reason: "account suspended or closed" }
      : {
          sessionIds: end.sessionIds,
          exceptSessionId: end.exceptSessionId ?? null,
          code: CLOSE_CODES.unauthenticated,
          reason: "session ended",
        };
  if (input.sessionIds !== null && input.sessionIds.length === 0) return;
  try {
    await env.USER_FEED.get(env.USER_FEED.idFromName(userId)).endSessions(input);
  } catch (error) {
    log("error", "live sessions not closed", { userId, error: error instanceof Error ? error.message : String(error) });
  }
}

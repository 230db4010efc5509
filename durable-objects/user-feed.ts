// UserFeed: one per user (idFromName(userId)), the personal live feed of everything that concerns them:
// events of the contracts and escrows they are party to and their notifications, with resume like the rooms.
// It also keeps the registry of which rooms hold sockets of which of the user's sessions (live-registry.ts) and
// closes them all when sessions end.
import type { Bindings } from "../src/env";
import { log } from "../src/lib/request-context";
import { LiveHub } from "./lib/hub";
import { CLOSE_CODES } from "./lib/hub-protocol";
import { LiveObject } from "./lib/live-object";
import { LIVE_PATH } from "./lib/live-path";
import { LIVE_REGISTRY_MAX_ROWS, liveRoomStub, type LiveRoomRef } from "./lib/live-registry";

/** Which of the user's sessions end: listed ones, or all of them (but one, e.g. the one changing the password). */
export interface EndSessions {
  sessionIds: string[] | null;
  exceptSessionId?: string | null;
  /** 4001 (session ended) or 4003 (suspended, erased). */
  code: number;
  reason: string;
}

/** An event as delivered to a feed; `id` makes redelivery (queues are at-least-once) a no-op. */
export interface FeedEvent {
  id: string;
  type: string;
  data: unknown;
  /** When it happened (ISO 8601); sent as the live message's `timestamp`. */
  occurredAt: string;
}

export class UserFeed extends LiveObject {
  protected readonly hub = new LiveHub(this.ctx, this.env, {
    // Only the feed's owner may listen; a feed has nothing to act on, hence the one permission.
    authorize: (principal) => (principal.userId === this.ownerId() ? ["read"] : null),
  });

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "UserFeed" });
    if (url.pathname === LIVE_PATH) return this.hub.connect(request);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  /** RPC: appends the event to the feed (once per event id) and sends it to the owner's sockets. */
  async deliver(event: FeedEvent): Promise<{ seq: number; duplicate: boolean }> {
    const { event: appended, duplicate } = this.hub.append(event.type, event.data, {
      timestamp: event.occurredAt,
      dedupeKey: event.id,
    });
    if (!duplicate) this.hub.broadcast(appended);
    return { seq: appended.seq, duplicate };
  }

  /** RPC: records that a room holds a socket of one of this user's sessions (idempotent). */
  async trackRoom(room: LiveRoomRef): Promise<void> {
    const sql = this.registry();
    sql.exec(
      "INSERT INTO live_rooms (kind, name, session_id, registered_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (kind, name, session_id) DO UPDATE SET registered_at = excluded.registered_at",
      room.kind,
      room.name,
      room.sessionId,
      Date.now(),
    );
    sql.exec(
      "DELETE FROM live_rooms WHERE rowid IN (SELECT rowid FROM live_rooms ORDER BY registered_at DESC LIMIT -1 OFFSET ?)",
      LIVE_REGISTRY_MAX_ROWS,
    );
  }

  /**
   * RPC: closes every socket of the ending sessions: the feed's own, then those of each room that registered one
   * (in parallel), and forgets those registrations. A room that cannot be reached keeps its row for a later call;
   * its sockets still close at its next periodic re-check.
   * @returns sockets closed here and the number of rooms told
   */
  async endSessions(end: EndSessions): Promise<{ closedHere: number; roomsTold: number }> {
    const match = { userId: this.ownerId(), sessionIds: end.sessionIds, exceptSessionId: end.exceptSessionId ?? null };
    const closedHere = this.hub.closeSessions(match, end.code, end.reason);
    const sql = this.registry();
    const rows = sql
      .exec<{ kind: LiveRoomRef["kind"]; name: string; session_id: string }>(
        "SELECT kind, name, session_id FROM live_rooms",
      )
      .toArray()
      .filter(
        (r) =>
          (end.sessionIds === null || end.sessionIds.includes(r.session_id)) && r.session_id !== match.exceptSessionId,
      );
    const rooms = new Map<string, { kind: LiveRoomRef["kind"]; name: string }>();
    for (const r of rows) rooms.set(`${r.kind} ${r.name}`, { kind: r.kind, name: r.name });
    const results = await Promise.allSettled(
      [...rooms.values()].map(async (room) => {
        await liveRoomStub(this.env, room).closeLiveSessions(match, end.code, end.reason);
        return room;
      }),
    );
    for (const [i, result] of results.entries()) {
      const room = [...rooms.values()][i]!;
      if (result.status === "rejected") {
        log("warn", "live room not told of ended sessions", {
          kind: room.kind,
          name: room.name,
          error: String(result.reason),
        });
        continue;
      }
      for (const r of rows.filter((x) => x.kind === room.kind && x.name === room.name)) {
        sql.exec("DELETE FROM live_rooms WHERE kind = ? AND name = ? AND session_id = ?", r.kind, r.name, r.session_id);
      }
    }
    return { closedHere, roomsTold: results.filter((r) => r.status === "fulfilled").length };
  }

  /**
   * RPC, account erasure: the feed forgets every event it holds and every room registration; its sockets close
   * (the account's sessions are revoked by the same erasure).
   */
  async erase(): Promise<{ closed: number }> {
    const closed = this.hub.closeSessions(
      { userId: this.ownerId(), sessionIds: null, exceptSessionId: null },
      CLOSE_CODES.forbidden,
      "account erased",
    );
    this.hub.clearHeldEvents();
    this.registry().exec("DELETE FROM live_rooms");
    return { closed };
  }

  private registry(): SqlStorage {
    const sql = this.ctx.storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS live_rooms (kind TEXT NOT NULL, name TEXT NOT NULL, session_id TEXT NOT NULL, " +
        "registered_at INTEGER NOT NULL, PRIMARY KEY (kind, name, session_id))",
    );
    return sql;
  }

  override async alarm() {
    await this.hub.alarm();
  }

  private ownerId(): string {
    // The Worker only ever addresses feeds by idFromName(userId), so the object's name is its owner.
    const name = this.ctx.id.name;
    if (!name) throw new Error("UserFeed must be addressed with idFromName(userId)");
    return name;
  }
}

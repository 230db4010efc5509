// LiveHub: the one WebSocket hub of every live room (ContractRoom, EscrowRoom, UserFeed), on the Hibernation
// API, speaking API.md's live protocol. A room owns one hub and forwards its WebSocket handlers and alarm to it:
//
//   private readonly hub = new LiveHub(this.ctx, this.env, { authorize: (p) => this.permissionsOf(p) });
//   fetch(req)                         → return this.hub.connect(req)        (for the live upgrade)
//   webSocketMessage(ws, m)            → return this.hub.webSocketMessage(ws, m)
//   webSocketClose(ws, code, reason)   → return this.hub.webSocketClose(ws, code, reason)
//   webSocketError(ws, error)          → return this.hub.webSocketError(ws, error)
//   alarm()                            → await this.hub.alarm(); then the room's own alarm work
//
// One alarm per object: the hub arms it with armAlarmNoLaterThan() (never pushing an earlier alarm back), so
// the room's other alarm uses must do the same — never setAlarm() to a later time or deleteAlarm() while
// hub.nextAlarm() is not null — and tolerate early wake-ups, as the hub does. With sockets open the hub wants
// the alarm every 5 minutes (session re-check), so a room with listeners wakes briefly that often.
//   on each state change               → this.hub.publish("contract.signed", data)
//
// Ending a session ends its sockets within seconds, not at the next 5-minute re-check: each socket's attachment
// holds its session id; a room given `room` registers (kind, name, session) in the user's UserFeed when a socket
// authenticates, and the Worker tells that UserFeed when sessions end (src/lib/live-sessions.ts), which closes its
// own sockets and calls closeSessions() on every room it registered. See live-registry.ts for why push, not poll.
//
// Everything a socket needs after the object wakes from hibernation is in its attachment (≤ 2 KB); the event
// log and sequence are in the object's SQLite storage. Nothing the hub keeps in memory is needed for correctness.
import type { Bindings, Principal } from "../../src/env";
import { log } from "../../src/lib/request-context";
import { armAlarmNoLaterThan } from "./alarm";
import { reportLiveSockets } from "../../src/lib/metrics";
import { principalFromAccessToken, principalFromSession } from "./hub-auth";
import { trackLiveRoom, type LiveRoomRef } from "./live-registry";
import { HubEventLog, type AppendResult } from "./hub-event-log";
import { CLOSE_CODES, LIVE_LIMITS, clientMessageSchema, type LiveEvent, type ServerMessage } from "./hub-protocol";

export interface LiveSession {
  userId: string;
  /** What the room said this user may do (returned to the client in auth:success). */
  permissions: string[];
  sessionId: string | null;
}

/** Per-socket state, persisted with serializeAttachment so it survives hibernation. */
type Attachment =
  | { state: "pending"; deadline: number }
  /** `checkedAt`: when the session and the room's permission were last confirmed. */
  | ({ state: "open"; checkedAt: number } & LiveSession);

export interface LiveHubOptions {
  /** The permissions `principal` has in this room, or null when they may not see it (close 4003). */
  authorize(principal: Principal): Promise<string[] | null> | string[] | null;
  /** Token → principal; defaults to access-JWT verification against D1 (revoked sessions, suspended users). */
  verifyToken?: (token: string) => Promise<Principal | null>;
  /** An open socket's session → principal if still live; defaults to the D1 session check of verifyToken. */
  recheckSession?: (session: LiveSession) => Promise<Principal | null>;
  limits?: Partial<typeof LIVE_LIMITS>;
  /**
   * Which room this is, so a socket's session is registered in the user's UserFeed and closed when the session
   * ends (UserFeed itself leaves it out: its sockets are its own). Without a name (an object not addressed by
   * idFromName, as in some tests) nothing is registered and only the periodic re-check applies.
   */
  room?: { kind: LiveRoomRef["kind"]; name: string | undefined };
}

/** Which open sockets closeSessions() closes: one user's, all of them or only the listed sessions. */
export interface SessionMatch {
  userId: string;
  /** null: every session of the user. */
  sessionIds: string[] | null;
  /** Spared even when sessionIds is null (a password change keeps the session that made it). */
  exceptSessionId?: string | null;
}

const MAX_ATTACHMENT_CHARS = 2_048;
/** Whether `code` may be sent in a Close frame (RFC 6455 §7.4); an echo of any other code uses 1000. */
const sendableCloseCode = (code: number) =>
  (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

export class LiveHub {
  private readonly events: HubEventLog;
  private readonly limits: typeof LIVE_LIMITS;
  private readonly verifyToken: (token: string) => Promise<Principal | null>;
  private readonly recheckSession: (session: LiveSession) => Promise<Principal | null>;
  /** Cache of attachments; rebuilt lazily from ctx.getWebSockets() after a wake-up. */
  private readonly attachments = new Map<WebSocket, Attachment>();
  /** Per-socket chain so a client may send `auth` and `resume` back to back and have them handled in order. */
  private readonly inFlight = new Map<WebSocket, Promise<void>>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Bindings,
    private readonly options: LiveHubOptions,
  ) {
    this.limits = { ...LIVE_LIMITS, ...options.limits };
    this.events = new HubEventLog(ctx.storage.sql, this.limits.eventsHeld, this.limits.dedupeKeysHeld);
    this.verifyToken = options.verifyToken ?? ((token) => principalFromAccessToken(env, token));
    this.recheckSession =
      options.recheckSession ??
      (async (s) => (s.sessionId === null ? null : principalFromSession(env, s.sessionId, s.userId)));
  }

  /** Accepts a WebSocket upgrade as a hibernatable socket that must authenticate before its deadline. */
  async connect(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426, headers: { upgrade: "websocket" } });
    }
    // Also here, not only in alarm(): a room whose other alarm use overwrote ours still drops overdue sockets.
    this.closeOverdue(Date.now());
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    const deadline = Date.now() + this.limits.authTimeoutMs;
    this.remember(server, { state: "pending", deadline });
    await armAlarmNoLaterThan(this.ctx.storage, deadline);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Appends an event to the room's log and sends it to every authenticated socket. Null for a duplicate. */
  publish(type: string, data: unknown, options: { timestamp?: string; dedupeKey?: string } = {}): LiveEvent | null {
    const { event, duplicate } = this.append(type, data, options);
    if (duplicate) return null;
    this.broadcast(event);
    return event;
  }

  /**
   * Appends without sending: for rooms that append inside `ctx.storage.transactionSync()` with the state change
   * and call `broadcast()` once it committed (so a rolled-back change is never announced).
   */
  append(type: string, data: unknown, options: { timestamp?: string; dedupeKey?: string } = {}): AppendResult {
    return this.events.append(type, data, options);
  }

  broadcast(event: LiveEvent): void {
    const frame = JSON.stringify(event);
    for (const ws of this.liveSockets()) {
      if (this.attachment(ws).state === "open") trySend(ws, frame);
    }
  }

  /** The latest sequence number of this room (0 before the first event). */
  /** Erasure: rewrites the held (resumable) events' JSON text; see HubEventLog.rewriteHeld. */
  rewriteHeldEvents(rewrite: (json: string) => string): number {
    return this.events.rewriteHeld(rewrite);
  }

  /** Erasure: forgets every held event (see HubEventLog.clearHeld). */
  clearHeldEvents(): void {
    this.events.clearHeld();
  }

  latestSeq(): number {
    return this.events.latestSeq();
  }

  /** Authenticated sockets, e.g. for a room's metrics or to decide who to notify by other means. */
  sessions(): LiveSession[] {
    return this.liveSockets()
      .map((ws) => this.attachment(ws))
      .filter((a): a is Attachment & { state: "open" } => a.state === "open")
      .map(({ userId, permissions, sessionId }) => ({ userId, permissions, sessionId }));
  }

  /** Closes every socket of a user, e.g. when they are removed from a contract (4003: no longer allowed). */
  disconnectUser(userId: string, code: number = CLOSE_CODES.forbidden, reason = "access revoked"): void {
    for (const ws of this.liveSockets()) {
      const a = this.attachment(ws);
      if (a.state === "open" && a.userId === userId) this.close(ws, code, reason);
    }
  }

  /**
   * Closes the open sockets of the matching sessions, e.g. 4001 after logout, 4003 on suspension.
   * @returns how many sockets were closed
   */
  closeSessions(match: SessionMatch, code: number, reason: string): number {
    let closed = 0;
    for (const ws of this.liveSockets()) {
      const a = this.attachment(ws);
      if (a.state !== "open" || a.userId !== match.userId) continue;
      if (match.exceptSessionId && a.sessionId === match.exceptSessionId) continue;
      if (match.sessionIds !== null && (a.sessionId === null || !match.sessionIds.includes(a.sessionId))) continue;
      this.close(ws, code, reason);
      closed += 1;
    }
    return closed;
  }

  /** When the hub next needs the alarm (an auth deadline or a session re-check), for a room computing its own. */
  nextAlarm(): number | null {
    let next: number | null = null;
    for (const ws of this.liveSockets()) {
      const a = this.attachment(ws);
      const due = a.state === "pending" ? a.deadline : a.checkedAt + this.limits.recheckMs;
      if (next === null || due < next) next = due;
    }
    return next;
  }

  /**
   * Call from the room's alarm(): closes sockets past their auth deadline, re-checks sessions that are due
   * (closing 4001 when the session ended, 4003 when the room no longer admits the user), and re-arms.
   * `now` is injectable so tests need not wait five minutes.
   */
  async alarm(now = Date.now()): Promise<void> {
    this.closeOverdue(now);
    await this.recheck(now);
    // Keeps this room's gauge fresh: MetricsRoom drops rooms that stopped reporting (reset without closes).
    if (this.sessions().length > 0) this.reportSockets();
    const next = this.nextAlarm();
    if (next !== null) await armAlarmNoLaterThan(this.ctx.storage, next);
  }

  private async recheck(now: number): Promise<void> {
    const due = new Map<string, WebSocket[]>();
    for (const ws of this.liveSockets()) {
      const a = this.attachment(ws);
      if (a.state !== "open" || a.checkedAt + this.limits.recheckMs > now) continue;
      const key = `${a.userId} ${a.sessionId}`;
      due.set(key, [...(due.get(key) ?? []), ws]);
    }
    // One D1 read per session, however many of its sockets are due.
    for (const sockets of due.values()) {
      const first = this.attachment(sockets[0]!) as Attachment & { state: "open" };
      const principal = await this.recheckSession(first);
      const permissions = principal ? await this.options.authorize(principal) : null;
      for (const ws of sockets) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        if (!principal) this.close(ws, CLOSE_CODES.unauthenticated, "session ended");
        else if (!permissions) this.close(ws, CLOSE_CODES.forbidden, "access revoked");
        else
          this.remember(ws, {
            ...(this.attachment(ws) as Attachment & { state: "open" }),
            permissions,
            checkedAt: now,
          });
      }
    }
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const previous = this.inFlight.get(ws) ?? Promise.resolve();
    // A failed earlier message must not stop this one from being handled.
    const current = previous.catch(() => {}).then(() => this.handle(ws, message));
    this.inFlight.set(ws, current);
    try {
      await current;
    } catch (error) {
      // E.g. D1 unreachable while verifying a token: the client should reconnect rather than hang.
      log("error", "live message failed", { error: error instanceof Error ? error.message : String(error) });
      this.close(ws, 1011, "internal error");
    } finally {
      if (this.inFlight.get(ws) === current) this.inFlight.delete(ws);
    }
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.forget(ws);
    // Complete the closing handshake (the Hibernation API does not echo the Close frame for us).
    this.close(ws, sendableCloseCode(code) ? code : CLOSE_CODES.normal, reason);
    this.reportSockets();
  }

  /** Tells MetricsRoom how many authenticated sockets this room holds now (the live-sockets gauge of /metrics). */
  private reportSockets(): void {
    const room = `${this.options.room?.kind ?? "feed"}:${this.ctx.id.toString()}`;
    this.ctx.waitUntil(reportLiveSockets(this.env, room, this.sessions().length));
  }

  async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    log("warn", "live socket error", { error: error instanceof Error ? error.message : String(error) });
    this.forget(ws);
    this.close(ws, 1011, "socket error");
  }

  private async handle(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (typeof message !== "string") return this.close(ws, CLOSE_CODES.unsupportedData, "text frames only");
    if (message.length > this.limits.maxClientMessageChars)
      return this.close(ws, CLOSE_CODES.messageTooBig, "message too big");
    const parsed = clientMessageSchema.safeParse(parseJson(message));
    const state = this.attachment(ws);

    if (state.state === "pending") {
      if (!parsed.success || parsed.data.type !== "auth") {
        return this.close(ws, CLOSE_CODES.unauthenticated, "the first message must be auth");
      }
      return this.authenticate(ws, parsed.data.payload.token);
    }

    if (!parsed.success)
      return this.send(ws, { type: "error", payload: { code: "VAL001", message: "Unknown or malformed message" } });
    const msg = parsed.data;
    switch (msg.type) {
      case "ping":
        return this.send(ws, { type: "pong", timestamp: msg.timestamp ?? null });
      case "resume":
        return this.replay(ws, msg.payload.since);
      case "auth":
        return this.send(ws, { type: "error", payload: { code: "VAL001", message: "Already authenticated" } });
    }
  }

  private async authenticate(ws: WebSocket, token: string): Promise<void> {
    const principal = await this.verifyToken(token);
    if (!principal) return this.close(ws, CLOSE_CODES.unauthenticated, "invalid token");
    const permissions = await this.options.authorize(principal);
    if (!permissions) return this.close(ws, CLOSE_CODES.forbidden, "not allowed in this room");
    // The deadline may have passed (and the socket closed) while we were verifying.
    if (ws.readyState !== WebSocket.OPEN || this.attachment(ws).state !== "pending") return;
    // Counting and recording happen with no await in between, so two sockets cannot both take the 5th place.
    const open = this.sessions().filter((s) => s.userId === principal.userId).length;
    if (open >= this.limits.maxSocketsPerUser) {
      return this.close(ws, CLOSE_CODES.tooManyConnections, "too many connections");
    }
    const checkedAt = Date.now();
    this.remember(ws, {
      state: "open",
      userId: principal.userId,
      permissions,
      sessionId: principal.sessionId,
      checkedAt,
    });
    this.send(ws, { type: "auth:success", payload: { userId: principal.userId, permissions } });
    this.reportSockets();
    await armAlarmNoLaterThan(this.ctx.storage, checkedAt + this.limits.recheckMs);
    await this.register(ws, { userId: principal.userId, permissions, sessionId: principal.sessionId });
  }

  /**
   * Registers the socket's session with the user's UserFeed, then checks the session once more: a logout that
   * ran between our token check and the registration found nothing to close here, and is caught by this read.
   * A failed registration leaves the socket to the periodic re-check.
   */
  private async register(ws: WebSocket, session: LiveSession): Promise<void> {
    const room = this.options.room;
    if (!room?.name || session.sessionId === null) return;
    try {
      await trackLiveRoom(this.env, session.userId, { kind: room.kind, name: room.name, sessionId: session.sessionId });
    } catch (error) {
      log("warn", "live session not registered", { error: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (ws.readyState === WebSocket.OPEN && !(await this.recheckSession(session))) {
      this.close(ws, CLOSE_CODES.unauthenticated, "session ended");
    }
  }

  /** Sends every held event after `since`, in order, then resume:done; resume:gap first if some were dropped. */
  private replay(ws: WebSocket, since: number): void {
    const latestSeq = this.events.latestSeq();
    const oldestSeq = this.events.oldestHeldSeq();
    if (oldestSeq !== null && since + 1 < oldestSeq) {
      this.send(ws, { type: "resume:gap", payload: { since, oldestSeq, latestSeq } });
    }
    // Synchronous from read to last send: no live event can interleave with the replay.
    const missed = this.events.since(since);
    for (const event of missed) this.send(ws, event);
    this.send(ws, { type: "resume:done", payload: { since, latestSeq, replayed: missed.length } });
  }

  private closeOverdue(now: number): void {
    for (const ws of this.liveSockets()) {
      const a = this.attachment(ws);
      if (a.state === "pending" && a.deadline <= now)
        this.close(ws, CLOSE_CODES.unauthenticated, "authentication timed out");
    }
  }

  /** Sockets not yet closing: one we closed may still be listed until the client answers the Close frame. */
  private liveSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private attachment(ws: WebSocket): Attachment {
    let a = this.attachments.get(ws);
    if (!a) {
      // A socket accepted without an attachment is treated as one whose auth deadline has passed.
      a = (ws.deserializeAttachment() as Attachment | null) ?? { state: "pending", deadline: 0 };
      this.attachments.set(ws, a);
    }
    return a;
  }

  private remember(ws: WebSocket, a: Attachment): void {
    if (JSON.stringify(a).length > MAX_ATTACHMENT_CHARS) throw new Error("live session attachment exceeds 2 KB");
    ws.serializeAttachment(a);
    this.attachments.set(ws, a);
  }

  private forget(ws: WebSocket): void {
    this.attachments.delete(ws);
    this.inFlight.delete(ws);
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    trySend(ws, JSON.stringify(message));
  }

  private close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed: nothing left to do.
    }
  }
}

function trySend(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // A socket that is closing; its close handler cleans up.
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

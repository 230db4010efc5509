// Base class of every Durable Object with a live room: the Hibernation API calls these handlers on the object
// itself, so they are written once here and forwarded to the object's hub; and the RPC that closes the sockets of
// ended sessions (called by the user's UserFeed, see live-registry.ts).
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import type { LiveHub, SessionMatch } from "./hub";
import { runCorrelated } from "./correlated";

export abstract class LiveObject extends DurableObject<Bindings> {
  protected abstract readonly hub: LiveHub;

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    await this.hub.webSocketMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string) {
    await this.hub.webSocketClose(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket, error: unknown) {
    await this.hub.webSocketError(ws, error);
  }

  /**
   * RPC: closes this room's sockets of the matching sessions (4001 session ended, 4003 suspended or erased).
   * @returns how many sockets were closed
   */
  async closeLiveSessions(match: SessionMatch, code: number, reason: string): Promise<number> {
    return this.hub.closeSessions(match, code, reason);
  }

  /** RPC: runs one of this object's methods inside the caller's correlation id (see correlated.ts). */
  async correlated(correlationId: string | null, method: string, args: unknown[]): Promise<unknown> {
    return runCorrelated(this, correlationId, method, args);
  }
}

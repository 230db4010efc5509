// Base class of every Durable Object with a live room: the Hibernation API calls these handlers on the object
// itself, so they are written once here and forwarded to the object's hub.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import type { LiveHub } from "./hub";

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
}

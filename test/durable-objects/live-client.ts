// A live-protocol client for tests: a real WebSocket to the Worker (or straight to an object), with an inbox
// that can be awaited message by message and a promise of the close code.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { BASE } from "../helpers/http";

// Server messages are asserted field by field in tests, so they stay loosely typed here.
export type Received = { type: string; [key: string]: any };

export class LiveClient {
  private readonly inbox: Received[] = [];
  private waiter: (() => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (e) => {
        resolve({ code: e.code, reason: e.reason });
        this.waiter?.();
      });
    });
    ws.addEventListener("message", (e) => {
      this.inbox.push(JSON.parse(e.data as string) as Received);
      this.waiter?.();
    });
  }

  /** Opens a socket through the Worker (`path` under BASE) or through any fetcher (e.g. an object's stub). */
  static async open(
    path: string,
    fetcher: { fetch(req: Request): Promise<Response> } = exports.default,
  ): Promise<LiveClient> {
    const res = await fetcher.fetch(new Request(`${BASE}${path}`, { headers: { upgrade: "websocket" } }));
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    return new LiveClient(ws);
  }

  /** Opens and authenticates; resolves with the auth:success message. */
  static async authed(path: string, token: string, fetcher?: { fetch(req: Request): Promise<Response> }) {
    const client = await LiveClient.open(path, fetcher);
    client.send({ type: "auth", payload: { token } });
    const ok = await client.next();
    expect(ok.type).toBe("auth:success");
    return client;
  }

  send(message: unknown) {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The next message not yet taken, waiting up to `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (this.ws.readyState >= WebSocket.CLOSING && this.inbox.length === 0)
        throw new Error("socket closed while waiting for a message");
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("timed out waiting for a message");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.inbox.shift()!;
  }

  /** Messages until (and including) the first one of `type`. */
  async until(type: string, timeoutMs = 5_000): Promise<Received[]> {
    const taken: Received[] = [];
    for (;;) {
      const m = await this.next(timeoutMs);
      taken.push(m);
      if (m.type === type) return taken;
    }
  }

  /** Whatever arrived so far and was not taken. */
  drain(): Received[] {
    return this.inbox.splice(0);
  }

  /** Closes from our side and waits for the server's echo. */
  async close(code = 1000, reason = "bye") {
    this.ws.close(code, reason);
    return this.closed;
  }
}

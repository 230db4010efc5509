// Live rooms from the Worker's side: forward a WebSocket upgrade to the Durable Object hosting the room (which
// authenticates the socket by its first message), and the OpenAPI description every live route shares.
import type { Context } from "hono";
import { createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { LIVE_PATH } from "../../durable-objects/lib/live-path";
import { ApiError } from "./errors";
import { answersRaw, openRoute } from "./openapi";
import { publicRoute } from "./auth";

/**
 * Forwards the upgrade to `namespace.idFromName(name)`, e.g. in the contracts routes:
 *   router.openapi(liveRoute({ path: "/contracts/{id}/live", tags: ["Contracts"], params }),
 *     (c) => forwardToLiveRoom(c, c.env.CONTRACT_ROOM, c.req.valid("param").id));
 * The room answers LIVE_PATH with `this.hub.connect(request)`.
 */
export async function forwardToLiveRoom(
  c: Context<AppEnv>,
  namespace: DurableObjectNamespace<Rpc.DurableObjectBranded | undefined>,
  name: string,
): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("VAL001", "Expected a WebSocket upgrade (Upgrade: websocket)");
  }
  const url = new URL(c.req.url);
  url.pathname = LIVE_PATH;
  url.search = "";
  return namespace.get(namespace.idFromName(name)).fetch(new Request(url, c.req.raw));
}

export const LIVE_PROTOCOL_DESCRIPTION = [
  "WebSocket upgrade (`Upgrade: websocket`). No Authorization header is needed: the client's first message",
  'must be `{ "type": "auth", "payload": { "token": "<access JWT>" } }` within 10 s, else close 4001',
  '(also 4001 for an invalid token; 4003 for a caller who may not see the room) → `{ "type": "auth:success",',
  '"payload": { "userId", "permissions" } }`. `{ "type": "ping", "timestamp" }` → `{ "type": "pong", "timestamp" }`.',
  'Events arrive as `{ "type": "<event type>", "seq", "timestamp", "data" }` with a gapless per-room `seq`.',
  '`{ "type": "resume", "payload": { "since": <seq> } }` replays every later event still held (the last 1,000)',
  'and ends with `{ "type": "resume:done", "payload": { "since", "latestSeq", "replayed" } }`; when events after',
  '`since` were already dropped, `{ "type": "resume:gap", "payload": { "since", "oldestSeq", "latestSeq" } }`',
  "comes first (reload the resource's state). Events received live between auth and the end of a replay may",
  "repeat: ignore any `seq` you have already seen. At most 5 sockets per user per room; the 6th is closed with",
  '4008. Malformed messages after auth get `{ "type": "error" }` and the socket stays open. Open sockets',
  "are checked again every 5 minutes: a session that ended (logout, revocation, suspension) is closed with 4001,",
  "a user the room no longer admits with 4003; reconnect with a fresh token and resume.",
].join(" ");

/** The OpenAPI definition of a live route; the 101 response is the WebSocket. */
export function liveRoute<P extends z.ZodObject, Q extends z.ZodObject>(config: {
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
}) {
  return createRoute({
    // The socket authenticates with its first message (an access JWT), so the upgrade itself is open.
    ...openRoute(config.tags, publicRoute()),
    method: "get",
    path: config.path,
    summary: config.summary,
    description: [config.description, LIVE_PROTOCOL_DESCRIPTION].filter(Boolean).join("\n\n"),
    request: { params: config.params as P, query: config.query as Q },
    responses: answersRaw(101, { description: "Switching Protocols: the live WebSocket" }),
  });
}

// EscrowRoom: the single writer of one escrow (idFromName(escrowId)): funding, reveal, payout, disputes.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";

export class EscrowRoom extends DurableObject<Bindings> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "EscrowRoom" });
    return Response.json({ error: "not found" }, { status: 404 });
  }
}

// ContractRoom: the single writer of one contract (idFromName(contractId)). Drafting and signing fill it in.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";

export class ContractRoom extends DurableObject<Bindings> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "ContractRoom" });
    return Response.json({ error: "not found" }, { status: 404 });
  }
}

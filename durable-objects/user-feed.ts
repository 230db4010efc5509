// UserFeed: one per user, the personal live feed of everything that concerns them.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";

export class UserFeed extends DurableObject<Bindings> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "UserFeed" });
    return Response.json({ error: "not found" }, { status: 404 });
  }
}

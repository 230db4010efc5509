// RateLimiter: placeholder, replaced by the rate limiting work.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";

export class RateLimiter extends DurableObject<Bindings> {
  override async fetch(): Promise<Response> {
    return Response.json({ ok: true });
  }
}

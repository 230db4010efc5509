// RateLimiter: one object per (limit name, caller key) counting hits in a fixed window.
// State lives in memory and is mirrored to the object's SQLite KV so an eviction mid-window keeps the count.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";

/** What the limiter tells the caller; `resetAt` is epoch milliseconds when the window ends. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: number;
  /** Hits counted in the window so far, this call's included (may exceed `limit`). */
  count: number;
}

interface WindowState {
  start: number;
  windowMs: number;
  count: number;
}

const STATE_KEY = "window";

export class RateLimiter extends DurableObject<Bindings> {
  #state: WindowState | undefined;

  /**
   * Counts `hits` hits (default one; rejected hits count too, so a flood never buys itself a fresh window) and
   * says whether the count is within `limit` for the current window of `windowSeconds`. Workers counting the
   * global limit in their isolate push their hits here in batches (src/lib/rate-limit.ts).
   */
  async hit(limit: number, windowSeconds: number, hits = 1): Promise<RateLimitDecision> {
    const now = Date.now();
    const windowMs = Math.max(1, Math.round(windowSeconds * 1000));
    let state = (this.#state ??= this.ctx.storage.kv.get<WindowState>(STATE_KEY));
    if (!state || state.windowMs !== windowMs || now >= state.start + state.windowMs) {
      // Windows are aligned to the epoch so every object's reset time is predictable.
      state = { start: now - (now % windowMs), windowMs, count: 0 };
      // Idle objects clean their storage up once the window is over.
      await this.ctx.storage.setAlarm(state.start + windowMs);
    }
    state.count += Math.max(1, Math.floor(hits));
    this.#state = state;
    this.ctx.storage.kv.put(STATE_KEY, state);
    return {
      allowed: state.count <= limit,
      limit,
      remaining: Math.max(0, limit - state.count),
      resetAt: state.start + windowMs,
      count: state.count,
    };
  }

  override async alarm(): Promise<void> {
    const state = this.#state ?? this.ctx.storage.kv.get<WindowState>(STATE_KEY);
    // A hit after the alarm was scheduled may have opened a newer window; keep that one.
    if (state && Date.now() < state.start + state.windowMs) {
      await this.ctx.storage.setAlarm(state.start + state.windowMs);
      return;
    }
    this.#state = undefined;
    await this.ctx.storage.deleteAll();
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "RateLimiter" });
    return Response.json({ error: "not found" }, { status: 404 });
  }
}

// UserFeed: one per user (idFromName(userId)), the personal live feed of everything that concerns them:
// events of the contracts and escrows they are party to and their notifications, with resume like the rooms.
import type { Bindings } from "../src/env";
import { LiveHub } from "./lib/hub";
import { LiveObject } from "./lib/live-object";
import { LIVE_PATH } from "./lib/live-path";

/** An event as delivered to a feed; `id` makes redelivery (queues are at-least-once) a no-op. */
export interface FeedEvent {
  id: string;
  type: string;
  data: unknown;
  /** When it happened (ISO 8601); sent as the live message's `timestamp`. */
  occurredAt: string;
}

export class UserFeed extends LiveObject {
  protected readonly hub = new LiveHub(this.ctx, this.env, {
    // Only the feed's owner may listen; a feed has nothing to act on, hence the one permission.
    authorize: (principal) => (principal.userId === this.ownerId() ? ["read"] : null),
  });

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return Response.json({ ok: true, object: "UserFeed" });
    if (url.pathname === LIVE_PATH) return this.hub.connect(request);
    return Response.json({ error: "not found" }, { status: 404 });
  }

  /** RPC: appends the event to the feed (once per event id) and sends it to the owner's sockets. */
  async deliver(event: FeedEvent): Promise<{ seq: number; duplicate: boolean }> {
    const { event: appended, duplicate } = this.hub.append(event.type, event.data, {
      timestamp: event.occurredAt,
      dedupeKey: event.id,
    });
    if (!duplicate) this.hub.broadcast(appended);
    return { seq: appended.seq, duplicate };
  }

  override async alarm() {
    await this.hub.alarm();
  }

  private ownerId(): string {
    // The Worker only ever addresses feeds by idFromName(userId), so the object's name is its owner.
    const name = this.ctx.id.name;
    if (!name) throw new Error("UserFeed must be addressed with idFromName(userId)");
    return name;
  }
}

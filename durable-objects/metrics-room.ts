// MetricsRoom: the one object that sums the request counters every isolate flushes (src/lib/metrics.ts) and holds
// each live room's socket count, in its SQLite storage so a restart keeps the totals. /metrics reads it in one RPC.
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";
import { LATENCY_BUCKETS_SECONDS, type RequestSeries } from "../src/lib/metrics";

/** A room that reported nothing for this long is left out of the gauge (its object was reset without closes). */
export const LIVE_ROOM_STALE_MS = 15 * 60_000;

export interface MetricsSnapshot {
  requests: RequestSeries[];
  liveSockets: { kind: string; sockets: number }[];
}

export class MetricsRoom extends DurableObject<Bindings> {
  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS http_requests (
      method TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL,
      count INTEGER NOT NULL, sum_ms REAL NOT NULL, buckets TEXT NOT NULL,
      PRIMARY KEY (method, route, status))`);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS live_rooms (
      room TEXT PRIMARY KEY, kind TEXT NOT NULL, sockets INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
  }

  /** Adds an isolate's counters to the totals (one transaction). */
  async ingestRequests(batch: RequestSeries[]): Promise<void> {
    const width = LATENCY_BUCKETS_SECONDS.length + 1;
    this.ctx.storage.transactionSync(() => {
      for (const s of batch) {
        const row = this.ctx.storage.sql
          .exec<{ count: number; sum_ms: number; buckets: string }>(
            "SELECT count, sum_ms, buckets FROM http_requests WHERE method = ? AND route = ? AND status = ?",
            s.method,
            s.route,
            s.status,
          )
          .toArray()[0];
        const before = row ? (JSON.parse(row.buckets) as number[]) : new Array<number>(width).fill(0);
        const buckets = before.map((n, i) => n + (s.buckets[i] ?? 0));
        this.ctx.storage.sql.exec(
          `INSERT INTO http_requests (method, route, status, count, sum_ms, buckets) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (method, route, status) DO UPDATE SET count = excluded.count, sum_ms = excluded.sum_ms,
           buckets = excluded.buckets`,
          s.method,
          s.route,
          s.status,
          (row?.count ?? 0) + s.count,
          (row?.sum_ms ?? 0) + s.sumMs,
          JSON.stringify(buckets),
        );
      }
    });
  }

  /** Records a room's current number of authenticated sockets (`room` = `<kind>:<object id>`). */
  async setLiveSockets(room: string, sockets: number): Promise<void> {
    const kind = room.split(":")[0] ?? "unknown";
    if (sockets <= 0) this.ctx.storage.sql.exec("DELETE FROM live_rooms WHERE room = ?", room);
    else {
      this.ctx.storage.sql.exec(
        `INSERT INTO live_rooms (room, kind, sockets, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (room) DO UPDATE SET sockets = excluded.sockets, updated_at = excluded.updated_at`,
        room,
        kind,
        sockets,
        Date.now(),
      );
    }
  }

  /** Totals since the object was created, and live sockets per room kind. */
  async snapshot(): Promise<MetricsSnapshot> {
    const requests = this.ctx.storage.sql
      .exec<{ method: string; route: string; status: number; count: number; sum_ms: number; buckets: string }>(
        "SELECT method, route, status, count, sum_ms, buckets FROM http_requests ORDER BY route, method, status",
      )
      .toArray()
      .map((r) => ({
        method: r.method,
        route: r.route,
        status: r.status,
        count: r.count,
        sumMs: r.sum_ms,
        buckets: JSON.parse(r.buckets) as number[],
      }));
    const liveSockets = this.ctx.storage.sql
      .exec<{ kind: string; sockets: number }>(
        "SELECT kind, SUM(sockets) AS sockets FROM live_rooms WHERE updated_at > ? GROUP BY kind ORDER BY kind",
        Date.now() - LIVE_ROOM_STALE_MS,
      )
      .toArray();
    return { requests, liveSockets };
  }
}

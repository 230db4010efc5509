// A room's event log in its Durable Object's SQLite storage: the gapless sequence, the last N events for
// `resume`, and the keys of events already appended (so a redelivered event is not appended twice).
import type { LiveEvent } from "./hub-protocol";

export interface AppendResult {
  event: LiveEvent;
  /** True when the dedupe key was seen before: nothing was appended and `event` is the earlier one if held. */
  duplicate: boolean;
}

export class HubEventLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly eventsHeld: number,
    private readonly dedupeKeysHeld: number,
  ) {
    // Idempotent and synchronous, so it is safe in every constructor run (each wake from hibernation).
    sql.exec(`CREATE TABLE IF NOT EXISTS _hub_events (
      seq INTEGER PRIMARY KEY,
      type TEXT NOT NULL,
      timestamp TEXT NOT NULL,
      data TEXT NOT NULL
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS _hub_event_keys (key TEXT PRIMARY KEY, seq INTEGER NOT NULL)`);
    // The sequence outlives trimming of the events themselves, so it never restarts or skips.
    sql.exec(`CREATE TABLE IF NOT EXISTS _hub_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL)`);
  }

  latestSeq(): number {
    return this.sql.exec<{ last: number }>("SELECT last FROM _hub_sequence WHERE id = 1").toArray()[0]?.last ?? 0;
  }

  oldestHeldSeq(): number | null {
    return this.sql.exec<{ seq: number | null }>("SELECT MIN(seq) AS seq FROM _hub_events").one().seq;
  }

  /**
   * Appends synchronously, so a room can call it inside `ctx.storage.transactionSync()` together with the
   * state change that caused the event, and broadcast after the transaction commits.
   */
  append(type: string, data: unknown, options: { timestamp?: string; dedupeKey?: string } = {}): AppendResult {
    if (options.dedupeKey !== undefined) {
      const seen = this.sql
        .exec<{ seq: number }>("SELECT seq FROM _hub_event_keys WHERE key = ?", options.dedupeKey)
        .toArray()[0];
      if (seen) {
        const held = this.since(seen.seq - 1, 1)[0];
        return { event: held ?? { type, seq: seen.seq, timestamp: options.timestamp ?? "", data }, duplicate: true };
      }
    }
    const seq = this.latestSeq() + 1;
    const event: LiveEvent = { type, seq, timestamp: options.timestamp ?? new Date().toISOString(), data };
    this.sql.exec(
      "INSERT INTO _hub_sequence (id, last) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last = excluded.last",
      seq,
    );
    this.sql.exec(
      "INSERT INTO _hub_events (seq, type, timestamp, data) VALUES (?, ?, ?, ?)",
      seq,
      type,
      event.timestamp,
      JSON.stringify(data ?? null),
    );
    this.sql.exec("DELETE FROM _hub_events WHERE seq <= ?", seq - this.eventsHeld);
    if (options.dedupeKey !== undefined) {
      this.sql.exec("INSERT INTO _hub_event_keys (key, seq) VALUES (?, ?)", options.dedupeKey, seq);
      this.sql.exec("DELETE FROM _hub_event_keys WHERE seq <= ?", seq - this.dedupeKeysHeld);
    }
    return { event, duplicate: false };
  }

  /**
   * Erasure: rewrites the data of every held event through `rewrite` (applied to its JSON text, which must stay
   * valid JSON); sequence numbers and types stay.
   * @returns how many events changed
   */
  rewriteHeld(rewrite: (json: string) => string): number {
    let changed = 0;
    for (const row of this.sql.exec<{ seq: number; data: string }>("SELECT seq, data FROM _hub_events").toArray()) {
      const next = rewrite(row.data);
      if (next === row.data) continue;
      JSON.parse(next);
      this.sql.exec("UPDATE _hub_events SET data = ? WHERE seq = ?", next, row.seq);
      changed += 1;
    }
    return changed;
  }

  /** Erasure of the whole log's content; the sequence stays, so a later event never reuses a number. */
  clearHeld(): void {
    this.sql.exec("DELETE FROM _hub_events");
    this.sql.exec("DELETE FROM _hub_event_keys");
  }

  /** Held events after `seq`, oldest first. */
  since(seq: number, limit = this.eventsHeld): LiveEvent[] {
    return this.sql
      .exec<{ seq: number; type: string; timestamp: string; data: string }>(
        "SELECT seq, type, timestamp, data FROM _hub_events WHERE seq > ? ORDER BY seq LIMIT ?",
        seq,
        limit,
      )
      .toArray()
      .map((row) => ({ type: row.type, seq: row.seq, timestamp: row.timestamp, data: JSON.parse(row.data) }));
  }
}

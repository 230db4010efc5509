// Reads and the replay claim for dead-lettered queue messages (table dead_letters).
import { and, count, desc, eq, isNotNull, isNull, type SQL } from "drizzle-orm";
import { db } from "./client";
import { deadLetters } from "./schema";

export type DeadLetterRow = typeof deadLetters.$inferSelect;

export async function listDeadLetters(
  d1: D1Database,
  filter: { queue?: string; kind?: string; replayed?: boolean },
  window: { limit: number; offset: number },
) {
  const database = db(d1);
  const conditions: SQL[] = [];
  if (filter.queue) conditions.push(eq(deadLetters.queue, filter.queue));
  if (filter.kind) conditions.push(eq(deadLetters.kind, filter.kind));
  if (filter.replayed !== undefined)
    conditions.push(filter.replayed ? isNotNull(deadLetters.replayedAt) : isNull(deadLetters.replayedAt));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    database
      .select()
      .from(deadLetters)
      .where(where)
      .orderBy(desc(deadLetters.receivedAt), desc(deadLetters.id))
      .limit(window.limit)
      .offset(window.offset),
    database.select({ n: count() }).from(deadLetters).where(where),
  ]);
  return { items: rows, total: total?.n ?? 0 };
}

export async function getDeadLetter(d1: D1Database, id: string): Promise<DeadLetterRow | undefined> {
  return db(d1).select().from(deadLetters).where(eq(deadLetters.id, id)).get();
}

/** Marks the message replayed unless it already was; false means someone replayed it first. */
export async function claimReplay(d1: D1Database, id: string, at: string): Promise<boolean> {
  const claimed = await db(d1)
    .update(deadLetters)
    .set({ replayedAt: at })
    .where(and(eq(deadLetters.id, id), isNull(deadLetters.replayedAt)))
    .returning({ id: deadLetters.id });
  return claimed.length === 1;
}

/** Undoes a claim when the re-send failed, so the replay can be tried again. */
export async function releaseReplay(d1: D1Database, id: string, at: string): Promise<void> {
  await db(d1)
    .update(deadLetters)
    .set({ replayedAt: null })
    .where(and(eq(deadLetters.id, id), eq(deadLetters.replayedAt, at)));
}

// The development mailbox: what the dev mailer and dev SMS provider "sent", stored once per delivery, read newest
// first by GET /dev/mailbox.
import { count, desc, eq } from "drizzle-orm";
import { newId } from "../lib/ids";
import { db } from "./client";
import { devMailbox } from "./schema";

export async function listDevMailbox(
  d1: D1Database,
  filter: { to?: string },
  window: { limit: number; offset: number },
) {
  const database = db(d1);
  const where = filter.to ? eq(devMailbox.to, filter.to.trim().toLowerCase()) : undefined;
  const [rows, [total]] = await Promise.all([
    database
      .select({
        to: devMailbox.to,
        subject: devMailbox.subject,
        text: devMailbox.text,
        html: devMailbox.html,
        sentAt: devMailbox.sentAt,
      })
      .from(devMailbox)
      .where(where)
      .orderBy(desc(devMailbox.sentAt), desc(devMailbox.id))
      .limit(window.limit)
      .offset(window.offset),
    database.select({ n: count() }).from(devMailbox).where(where),
  ]);
  return { items: rows, total: total?.n ?? 0 };
}

/**
 * Stores one message; a second store of the same `deliveryId` (a redelivered job) adds nothing.
 * @returns the message's id (`msg_…`), which the dev providers report as the provider's message id
 */
export async function storeInDevMailbox(
  d1: D1Database,
  message: { deliveryId: string; to: string; from: string; subject: string; text: string; html: string },
): Promise<string> {
  const id = newId("msg");
  await db(d1)
    .insert(devMailbox)
    .values({ id, ...message, sentAt: new Date().toISOString() })
    .onConflictDoNothing({ target: devMailbox.deliveryId });
  return id;
}

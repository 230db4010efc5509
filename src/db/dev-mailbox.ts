// Reads of the development mailbox (the emails the dev mailer "sent"), newest first.
import { count, desc, eq } from "drizzle-orm";
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

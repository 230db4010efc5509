// Daily cron: each user whose notices were held during a burst (jobs/notify.ts, domain/notification-digest.ts) gets
// them in one digest email. Bounded per run; a run retried after a crash sends nothing twice (the delivery id is
// derived from the held notices, and sendEmail records an id once).
import type { Bindings } from "../env";
import { db } from "../db/client";
import { findUserById } from "../db/users";
import { heldNotices, markDigested, usersAwaitingDigest } from "../db/notifications";
import { digestLines } from "../domain/notification-digest";
import { sendEmail } from "../lib/email";
import { sha256Hex } from "../lib/crypto";
import { log } from "../lib/request-context";

/** Users served per run; the next day's run (or a re-run) takes the rest. */
const USERS_PER_RUN = 500;

/**
 * Sends one digest per user with held notices and marks them emailed.
 * @returns how many digests were sent
 */
export async function sendEmailDigests(env: Bindings, now: Date): Promise<{ sent: number }> {
  const database = db(env.DB);
  const at = now.toISOString();
  let sent = 0;
  for (const userId of await usersAwaitingDigest(database, USERS_PER_RUN)) {
    const [user, notices] = await Promise.all([findUserById(env.DB, userId), heldNotices(database, userId)]);
    if (notices.length === 0) continue;
    if (user && !user.deletedAt) {
      await sendEmail(env, {
        id: `eml_${sha256Hex(`digest:${userId}:${notices.map((n) => n.id).join(",")}`).slice(0, 20)}`,
        to: user.email,
        userId,
        template: "notice",
        data: {
          subject: `Your Escra digest: ${notices.length} update${notices.length === 1 ? "" : "s"}`,
          heading: "What happened while you were busy",
          lines: [
            `Hi ${user.name},`,
            "These arrived in a burst, so we collected them here instead of sending each one:",
            ...digestLines(notices.map((n) => n.title)),
            "You can change how many emails arrive before a digest in your notification settings.",
          ],
        },
      });
      sent += 1;
    }
    // Erased users' held notices are closed too, so they are not looked at again.
    await markDigested(
      database,
      notices.map((n) => n.id),
      at,
    );
  }
  if (sent > 0) log("info", "email digests sent", { sent });
  return { sent };
}

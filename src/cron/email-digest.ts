// Daily cron: each user whose notices were held during a burst (jobs/notify.ts, domain/notification-digest.ts) gets
// them in one digest email. Bounded per run; a run retried after a crash sends nothing twice (the delivery id is
// derived from the held notices, and sendEmail records an id once).
import type { Bindings } from "../env";
import { db, type Database } from "../db/client";
import { findUserById } from "../db/users";
import { heldNotices, markDigested, usersAwaitingDigest } from "../db/notifications";
import { digestEmail } from "../domain/notification-digest";
import { sendEmail, validateEmailRequest } from "../lib/email";
import { sha256Hex } from "../lib/crypto";
import { log } from "../lib/request-context";

/** Users served per run; the next day's run (or a re-run) takes the rest. */
const USERS_PER_RUN = 500;

/**
 * Sends one digest per user with held notices and marks them emailed. A user whose digest fails is logged and left
 * for the next run (or closed, when it could never be sent); the others still get theirs.
 * @returns how many digests were sent
 */
export async function sendEmailDigests(env: Bindings, now: Date): Promise<{ sent: number }> {
  const database = db(env.DB);
  const at = now.toISOString();
  let sent = 0;
  let failed = 0;
  for (const userId of await usersAwaitingDigest(database, USERS_PER_RUN)) {
    try {
      if (await sendDigest(env, database, userId, at)) sent += 1;
    } catch (error) {
      failed += 1;
      log("error", "email digest failed", { userId, error: String(error) });
    }
  }
  if (sent > 0 || failed > 0) log("info", "email digests sent", { sent, failed });
  return { sent };
}

/**
 * The digest of one user, and their held notices closed; false when there was nothing to send or no one to. A
 * digest that could never be sent (validateEmailRequest refuses the stored address) is closed unsent, so it does not
 * stand first in every later run; the notices stay in-app. Anything else (D1, the queue) throws, and the next run
 * tries again.
 */
async function sendDigest(env: Bindings, database: Database, userId: string, at: string): Promise<boolean> {
  const [user, notices] = await Promise.all([findUserById(env.DB, userId), heldNotices(database, userId)]);
  if (notices.length === 0) return false;
  const ids = notices.map((n) => n.id);
  let sendable = false;
  if (user && !user.deletedAt) {
    const email = {
      id: `eml_${sha256Hex(`digest:${userId}:${ids.join(",")}`).slice(0, 20)}`,
      to: user.email,
      userId,
      template: "notice" as const,
      data: digestEmail(
        user.name,
        notices.map((n) => n.title),
      ),
    };
    try {
      validateEmailRequest(email);
      sendable = true;
    } catch (error) {
      log("error", "email digest can never be sent; its notices stay in-app only", { userId, error: String(error) });
    }
    if (sendable) await sendEmail(env, email);
  }
  // Erased users' held notices are closed too, so they are not looked at again.
  await markDigested(database, ids, at);
  return sendable;
}

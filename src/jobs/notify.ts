// EVENTS consumer: notifications for each user in an event's audience, per their preferences (event type ×
// channel): an in-app row, an email through sendEmail, an SMS (sms.send job) to a verified phone when a provider
// is configured. The live feed has
// its own consumer (deliver-to-feeds.ts). Each channel is marked done per (user, event), so a redelivered event
// never notifies twice.
import { and, eq, isNull } from "drizzle-orm";
import type { Bindings } from "../env";
import type { DomainEvent } from "../domain/events";
import { notificationText } from "../domain/notification-text";
import { db, type Database } from "../db/client";
import { users } from "../db/schema";
import { preferencesOf } from "../db/notification-preferences";
import { isContractParty } from "../db/contract-access";
import { notificationEmailWanted } from "../domain/notification-preferences";
import { countEmailedSince, holdNoticeForDigest, markChannelDone, upsertNotification } from "../db/notifications";
import { digestSettings, reachedDigestThreshold, windowStart } from "../domain/notification-digest";
import { sendEmail } from "../lib/email";
import { hasPrefix, newId } from "../lib/ids";
import { queueSms, smsProviderFor } from "../lib/sms";
import type { EventConsumer } from "./types";

export const notifyConsumer: EventConsumer = {
  name: "notifications",
  async consume(event, env) {
    const database = db(env.DB);
    // The actor knows what they just did; everyone else in the audience hears of it.
    const recipients = event.audience.filter((id) => hasPrefix(id, "usr") && id !== event.actorId);
    const failed: unknown[] = [];
    for (const userId of recipients) {
      try {
        await notifyUser(env, database, userId, event);
      } catch (err) {
        failed.push(err);
      }
    }
    // Safe to retry the whole event: channels already done are skipped.
    if (failed.length > 0) throw failed[0];
  },
};

async function notifyUser(env: Bindings, database: Database, userId: string, event: DomainEvent) {
  const user = await database
    .select({
      email: users.email,
      name: users.name,
      phone: users.phone,
      phoneVerifiedAt: users.phoneVerifiedAt,
      digestThreshold: users.digestThreshold,
      digestWindowMinutes: users.digestWindowMinutes,
    })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    .get();
  if (!user) return; // erased or unknown: nobody to tell
  const channels = (await preferencesOf(database, userId))[event.type];
  if (!channels) return;
  if (!channels.in_app && !channels.email && !channels.sms) return;

  const text = notificationText(event);
  const now = new Date().toISOString();
  const row = await upsertNotification(database, {
    id: newId("ntf"),
    userId,
    eventId: event.id,
    type: event.type,
    title: text.title,
    body: text.body,
    data: JSON.stringify(event.data),
    subjectType: event.subject.type,
    subjectId: event.subject.id,
    // Kept (hidden) when in-app is off: the row still records which other channels were done.
    inApp: channels.in_app,
    readAt: null,
    emailedAt: null,
    smsAt: null,
    digestAt: null,
    createdAt: event.occurredAt,
  });

  const isParty = event.subject.type === "contract" && (await isContractParty(database, event.subject.id, user.email));
  if (channels.email && !row.emailedAt && !row.digestAt && notificationEmailWanted(event.type, isParty)) {
    // A burst (more than the user's threshold within their window) waits for the daily digest (cron/email-digest.ts).
    const settings = digestSettings(user);
    if (reachedDigestThreshold(settings, await countEmailedSince(database, userId, windowStart(settings, now)))) {
      await holdNoticeForDigest(database, row.id, now);
    } else {
      await sendEmail(env, {
        to: user.email,
        userId,
        template: "notice",
        data: {
          subject: text.title,
          heading: text.title,
          lines: [
            `Hi ${user.name},`,
            text.body,
            "You can choose which events reach you by email in your notification settings.",
          ],
          ...(text.link ? { action: { label: "Open in Escra", url: text.link } } : {}),
        },
      });
      await markChannelDone(database, row.id, "email", now);
    }
  }
  // Only to a verified phone; the sms.send job retries a failing provider, so the channel is done once queued.
  if (channels.sms && !row.smsAt && user.phone && user.phoneVerifiedAt && smsProviderFor(env)) {
    await queueSms(env, { to: user.phone, text: `Escra: ${text.title}. ${text.body}`.slice(0, 480) });
    await markChannelDone(database, row.id, "sms", now);
  }
}

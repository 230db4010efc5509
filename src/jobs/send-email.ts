// Job email.send: renders a queued delivery and sends it through the provider, tracking status and attempts.
import { and, eq, isNull, lt, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Bindings } from "../env";
import { db } from "../db/client";
import { emailDeliveries } from "../db/schema";
import { mayActFor } from "../db/users";
import { EmailTemplateError, renderEmail } from "../domain/email-templates";
import { mailerFor, MailerError, type Mailer } from "../lib/mailer";
import { log } from "../lib/request-context";
import { RetryLater, type DeliveryContext, type JobHandler } from "./types";

/** How long one attempt holds the delivery; longer than any provider call, short enough to recover from a crash. */
const SEND_LEASE_MS = 60_000;

const payloadSchema = z.object({ deliveryId: z.string().min(1) });

export const sendEmailJob: JobHandler = (message, env, ctx) => deliverEmail(message.payload, env, ctx, mailerFor(env));

export async function deliverEmail(
  payload: unknown,
  env: Bindings,
  ctx: DeliveryContext,
  mailer: Mailer,
): Promise<void> {
  const parsed = payloadSchema.safeParse(payload);
  if (!parsed.success) {
    log("error", "email.send without a delivery id");
    return; // nothing to retry
  }
  const { deliveryId } = parsed.data;
  const database = db(env.DB);
  const delivery = await database.query.emailDeliveries.findFirst({ where: eq(emailDeliveries.id, deliveryId) });
  if (!delivery) {
    log("error", "email.send for an unknown delivery", { deliveryId });
    return;
  }
  // At-least-once delivery: a redelivered job for a sent email must not send it again.
  if (delivery.status === "sent") return;

  const now = () => new Date().toISOString();
  // Mail acting for someone who has since been suspended or erased speaks for nobody: not sent.
  if (delivery.onBehalfOf && !(await mayActFor(database, delivery.onBehalfOf))) {
    await database
      .update(emailDeliveries)
      .set({ status: "failed", lastError: "sender suspended or erased", failedAt: now(), updatedAt: now() })
      .where(and(eq(emailDeliveries.id, deliveryId), ne(emailDeliveries.status, "sent")));
    return;
  }
  let rendered;
  try {
    rendered = renderEmail(delivery.template, JSON.parse(delivery.data), { baseUrl: env.PUBLIC_BASE_URL });
  } catch (err) {
    // A template that cannot render will not render on a retry either: fail it now, with the reason.
    const reason = err instanceof EmailTemplateError ? err.message : "template rendering failed";
    await database
      .update(emailDeliveries)
      .set({ status: "failed", lastError: reason.slice(0, 500), failedAt: now(), updatedAt: now() })
      .where(eq(emailDeliveries.id, deliveryId));
    log("error", "email rendering failed", { deliveryId, template: delivery.template, error: reason });
    return;
  }

  // Claim the delivery for this attempt; a duplicate delivery of the same job running now finds it locked.
  const attemptAt = now();
  const claimed = await database
    .update(emailDeliveries)
    .set({
      attempts: sql`${emailDeliveries.attempts} + 1`,
      lastAttemptAt: attemptAt,
      lockedUntil: new Date(Date.now() + SEND_LEASE_MS).toISOString(),
      subject: rendered.subject,
      updatedAt: attemptAt,
    })
    .where(
      and(
        eq(emailDeliveries.id, deliveryId),
        ne(emailDeliveries.status, "sent"),
        or(isNull(emailDeliveries.lockedUntil), lt(emailDeliveries.lockedUntil, attemptAt)),
      ),
    )
    .returning({ id: emailDeliveries.id });
  if (claimed.length === 0) {
    const current = await database.query.emailDeliveries.findFirst({ where: eq(emailDeliveries.id, deliveryId) });
    if (!current || current.status === "sent") return;
    throw new RetryLater(SEND_LEASE_MS / 1000, "another delivery of this email is in progress");
  }

  try {
    const { providerMessageId } = await mailer.send({
      deliveryId,
      from: env.EMAIL_FROM,
      to: delivery.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
    const sentAt = now();
    await database
      .update(emailDeliveries)
      // Template data can hold one-time codes and reset tokens: once sent it is no longer needed, so it is not kept.
      .set({
        status: "sent",
        sentAt,
        providerMessageId,
        data: "{}",
        lastError: null,
        failedAt: null,
        lockedUntil: null,
        updatedAt: sentAt,
      })
      .where(and(eq(emailDeliveries.id, deliveryId), ne(emailDeliveries.status, "sent")));
  } catch (err) {
    const reason = err instanceof MailerError ? err.message : "provider error";
    const failedAt = now();
    await database
      .update(emailDeliveries)
      .set({
        // Still "queued" while retries remain; "failed" once this was the last attempt (the message dead-letters).
        status: ctx.lastAttempt ? "failed" : "queued",
        lastError: reason.slice(0, 500),
        failedAt: ctx.lastAttempt ? failedAt : null,
        lockedUntil: null,
        updatedAt: failedAt,
      })
      .where(eq(emailDeliveries.id, deliveryId));
    log("warn", "email send failed", { deliveryId, attempts: ctx.attempts, provider: mailer.name, error: reason });
    throw err;
  }
}

// sendEmail(): records a queued delivery and hands it to the JOBS queue; the email.send job renders and sends it.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Bindings } from "../env";
import { db } from "../db/client";
import { emailDeliveries } from "../db/schema";
import { parseTemplateData, type EmailTemplateData, type EmailTemplateName } from "../domain/email-templates";
import { newId } from "./ids";
import { enqueueJob } from "./jobs";

export const EMAIL_SEND_JOB = "email.send";

const recipient = z.email().max(254);

export interface SendEmailInput<N extends EmailTemplateName> {
  to: string;
  template: N;
  data: EmailTemplateData<N>;
  /** The user the email concerns, when known (delivery history per user). */
  userId?: string | null;
  /**
   * The user on whose behalf it goes out (who shared, invited, sent for signature): if they are suspended or erased
   * before it is sent, it is not sent.
   */
  onBehalfOf?: string | null;
  /**
   * A delivery id chosen by the caller, for callers that retry (an aggregate's outbox): a repeated call with the
   * same id records nothing new and re-enqueues only a delivery that is still queued, so it is never sent twice.
   */
  id?: string;
}

/** Any template's input, e.g. stored by an aggregate's outbox and passed to sendEmail later. */
export type EmailRequest = { [N in EmailTemplateName]: SendEmailInput<N> }[EmailTemplateName];

/** Throws when the request could never be sent (bad recipient or template data); returns the normalised recipient. */
export function validateEmailRequest(input: Pick<EmailRequest, "to" | "template" | "data">): string {
  const to = recipient.parse(input.to.trim().toLowerCase());
  parseTemplateData(input.template, input.data);
  return to;
}

/**
 * Validates recipient and template data up front (a bad call fails here, not later in the queue),
 * then inserts the delivery (status queued, attempts 0) and enqueues the job.
 */
export async function sendEmail<N extends EmailTemplateName>(
  env: Bindings,
  input: SendEmailInput<N>,
): Promise<{ id: string }> {
  const to = validateEmailRequest(input);
  const id = input.id ?? newId("eml");
  const now = new Date().toISOString();
  const inserted = await db(env.DB)
    .insert(emailDeliveries)
    .values({
      id,
      userId: input.userId ?? null,
      onBehalfOf: input.onBehalfOf ?? null,
      to,
      template: input.template,
      data: JSON.stringify(input.data),
      status: "queued",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: emailDeliveries.id })
    .returning({ id: emailDeliveries.id });
  if (inserted.length === 0) {
    // A retry of a recorded delivery: enqueue again only while it is still queued (the job may never have been
    // enqueued); a duplicate job message is harmless, as the job leases the delivery per attempt.
    const existing = await db(env.DB).query.emailDeliveries.findFirst({ where: eq(emailDeliveries.id, id) });
    if (existing?.status !== "queued") return { id };
  }
  try {
    await enqueueJob(env, EMAIL_SEND_JOB, { deliveryId: id }, { id });
  } catch (err) {
    // Without the job the row would sit in "queued" forever; record why and let the caller see the failure. A
    // caller that chose the id retries with it, so its delivery stays queued for that retry to enqueue.
    await db(env.DB)
      .update(emailDeliveries)
      .set(
        input.id
          ? { lastError: "could not enqueue", updatedAt: now }
          : { status: "failed", lastError: "could not enqueue", failedAt: now, updatedAt: now },
      )
      .where(and(eq(emailDeliveries.id, id), eq(emailDeliveries.status, "queued")));
    throw err;
  }
  return { id };
}

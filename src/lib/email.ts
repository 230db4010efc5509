// sendEmail(): records a queued delivery and hands it to the JOBS queue; the email.send job renders and sends it.
import { eq } from "drizzle-orm";
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
}

/**
 * Validates recipient and template data up front (a bad call fails here, not later in the queue),
 * then inserts the delivery (status queued, attempts 0) and enqueues the job.
 */
export async function sendEmail<N extends EmailTemplateName>(env: Bindings, input: SendEmailInput<N>): Promise<{ id: string }> {
  const to = recipient.parse(input.to.trim().toLowerCase());
  parseTemplateData(input.template, input.data);

  const id = newId("eml");
  const now = new Date().toISOString();
  await db(env.DB).insert(emailDeliveries).values({
    id,
    userId: input.userId ?? null,
    to,
    template: input.template,
    data: JSON.stringify(input.data),
    status: "queued",
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await enqueueJob(env, EMAIL_SEND_JOB, { deliveryId: id }, { id });
  } catch (err) {
    // Without the job the row would sit in "queued" forever; record why and let the caller see the failure.
    await db(env.DB)
      .update(emailDeliveries)
      .set({ status: "failed", lastError: "could not enqueue", failedAt: now, updatedAt: now })
      .where(eq(emailDeliveries.id, id));
    throw err;
  }
  return { id };
}

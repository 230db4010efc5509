// The one queue dispatcher: JOBS and DOCUMENT_JOBS messages go to the handler for their kind, EVENTS messages to
// every event consumer, dead-lettered messages into D1. Capability modules register by adding a line to the lists
// below.
import { REFUND_UNKNOWN_CHARGE_JOB, refundUnknownChargeJob } from "./refund-unknown-charge";
import type { Bindings } from "../env";
import { QUEUE_NAMES, queueMessageSchema, type QueueMessage } from "../lib/queue-messages";
import { log } from "../lib/request-context";
import { withCorrelation } from "../lib/correlation";
import { EMAIL_SEND_JOB } from "../lib/email";
import { consumeEvent, toDomainEvent, UnconsumableEvent } from "./consume-event";
import { storeDeadLetter } from "./dead-letter-store";
import { eventLogConsumer } from "./event-log";
import { auditEventsConsumer } from "./audit-events";
import { deliverToFeedsConsumer } from "./deliver-to-feeds";
import { deliverWebhookJob } from "./deliver-webhook";
import { fanOutWebhooksConsumer, WEBHOOK_DELIVER_JOB } from "./fan-out-webhooks";
import { notifyConsumer } from "./notify";
import { clampDelay, isLastAttempt, MAX_DELIVERY_ATTEMPTS, retryDelaySeconds } from "./retry-policy";
import { sendEmailJob } from "./send-email";
import { sendSmsJob } from "./send-sms";
import { SMS_SEND_JOB } from "../lib/sms";
import { escrowEventsConsumer } from "./escrow-events";
import { listingEventsConsumer } from "./listing-events";
import { EXECUTED_DOCUMENT_JOB, executedDocumentConsumer, executedDocumentJob } from "./executed-document";
import { ESCROW_PAYOUT_JOB, escrowPayoutJob } from "./escrow-payout";
import { reportExportJob } from "./report-export";
import { REPORT_EXPORT_JOB } from "../services/reports/request-report-export";
import { dataExportJob } from "./data-export";
import { DATA_EXPORT_JOB } from "../services/users/request-data-export";
import { RetryLater, type DeliveryContext, type EventConsumer, type JobHandler } from "./types";

export type { DeliveryContext, EventConsumer, JobHandler } from "./types";
export { RetryLater } from "./types";

/** JOBS and DOCUMENT_JOBS handlers by message kind (one each; the producer picks the queue). */
export const jobHandlers: Record<string, JobHandler> = {
  "system.health": async () => {},
  [EMAIL_SEND_JOB]: sendEmailJob,
  [SMS_SEND_JOB]: sendSmsJob,
  [WEBHOOK_DELIVER_JOB]: deliverWebhookJob,
  [ESCROW_PAYOUT_JOB]: escrowPayoutJob,
  [REPORT_EXPORT_JOB]: reportExportJob,
  [DATA_EXPORT_JOB]: dataExportJob,
  [EXECUTED_DOCUMENT_JOB]: executedDocumentJob,
  [REFUND_UNKNOWN_CHARGE_JOB]: refundUnknownChargeJob,
};

/** EVENTS consumers; each sees every domain event once it succeeds (see consume-event.ts). */
export const eventConsumers: EventConsumer[] = [
  eventLogConsumer,
  auditEventsConsumer,
  deliverToFeedsConsumer,
  fanOutWebhooksConsumer,
  notifyConsumer,
  escrowEventsConsumer,
  listingEventsConsumer,
  executedDocumentConsumer,
];

export async function handleQueueBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  if (batch.queue === QUEUE_NAMES.deadLetters) return storeDeadLetterBatch(batch, env);
  for (const message of batch.messages) {
    const parsed = queueMessageSchema.safeParse(message.body);
    const ctx: DeliveryContext = {
      attempts: message.attempts,
      lastAttempt: isLastAttempt(message.attempts),
      queue: batch.queue,
    };
    if (!parsed.success) {
      // Retrying a malformed body can never succeed; keep it visible instead of dropping it.
      log("error", "malformed queue message", { queue: batch.queue, messageId: message.id });
      await storeDeadLetter(env, { messageId: message.id, body: message.body, attempts: message.attempts });
      message.ack();
      continue;
    }
    try {
      // The job runs (and logs, and enqueues its follow-ups) under the id of the request that caused it.
      await withCorrelation(parsed.data.correlationId ?? parsed.data.id, async () => {
        log("info", "queue message", {
          queue: batch.queue,
          kind: parsed.data.kind,
          messageId: parsed.data.id,
          attempts: message.attempts,
        });
        await dispatch(batch.queue, parsed.data, env, ctx);
      });
      message.ack();
    } catch (err) {
      if (err instanceof UnconsumableEvent) {
        log("error", "unconsumable event", { messageId: message.id, kind: parsed.data.kind, error: err.message });
        await storeDeadLetter(env, {
          messageId: message.id,
          body: message.body,
          attempts: message.attempts,
          origin: "events",
        });
        message.ack();
        continue;
      }
      const delaySeconds =
        err instanceof RetryLater ? clampDelay(err.delaySeconds) : retryDelaySeconds(message.attempts);
      log("warn", "queue message failed", {
        correlationId: parsed.data.correlationId ?? parsed.data.id,
        queue: batch.queue,
        kind: parsed.data.kind,
        messageId: parsed.data.id,
        attempts: message.attempts,
        lastAttempt: ctx.lastAttempt,
        retryInSeconds: delaySeconds,
        error: err instanceof Error ? err.message : String(err),
      });
      // Past the last attempt, Queues moves the message to escra-dead-letters instead of redelivering.
      message.retry({ delaySeconds });
    }
  }
}

async function dispatch(queue: string, message: QueueMessage, env: Bindings, ctx: DeliveryContext) {
  if (message.kind === "system.health") return;
  if (queue === QUEUE_NAMES.events) {
    await consumeEvent(toDomainEvent(message), eventConsumers, env, ctx);
    return;
  }
  const handler = jobHandlers[message.kind];
  if (!handler) throw new Error(`no handler for job kind ${message.kind}`);
  await handler(message, env, ctx);
}

async function storeDeadLetterBatch(batch: MessageBatch<unknown>, env: Bindings) {
  for (const message of batch.messages) {
    try {
      // Queues moved it here after its last attempt on the origin queue.
      await storeDeadLetter(env, { messageId: message.id, body: message.body, attempts: MAX_DELIVERY_ATTEMPTS });
      message.ack();
    } catch (err) {
      log("error", "could not store dead letter", {
        messageId: message.id,
        error: err instanceof Error ? err.message : String(err),
      });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

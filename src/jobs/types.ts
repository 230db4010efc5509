// Contracts between the queue dispatcher and the handlers/consumers that plug into it.
import type { Bindings } from "../env";
import type { DomainEvent } from "../domain/events";
import type { QueueMessage } from "../lib/queue-messages";

export interface DeliveryContext {
  /** 1 on first delivery. */
  attempts: number;
  /** True when a failure now sends the message to the dead-letter queue instead of retrying. */
  lastAttempt: boolean;
  queue: string;
}

/** A JOBS handler for one message kind. Throw to retry (with backoff); return to acknowledge. */
export type JobHandler = (message: QueueMessage, env: Bindings, ctx: DeliveryContext) => Promise<void>;

/**
 * A consumer of every domain event (notifications, webhooks, feeds). Each consumer's success is recorded per
 * event, so when another consumer fails and the event is redelivered, consumers that already succeeded are skipped.
 */
export interface EventConsumer {
  /** Stable name: it keys the per-event completion record. */
  name: string;
  consume(event: DomainEvent, env: Bindings, ctx: DeliveryContext): Promise<void>;
}

/** Throw to ask for a specific retry delay (e.g. a partner's Retry-After) instead of the default backoff. */
export class RetryLater extends Error {
  constructor(
    readonly delaySeconds: number,
    message = "retry later",
  ) {
    super(message);
    this.name = "RetryLater";
  }
}

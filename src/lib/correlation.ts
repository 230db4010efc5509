// The correlation id: the request id of the HTTP request that started a piece of work, carried through queue
// messages, Durable Object calls and webhook deliveries so one id finds every log line of one user action.
//
// Why AsyncLocalStorage (nodejs_compat): the id must reach every queueMessage() and log() call below a request or a
// job without threading a parameter through each service; an ambient store set at the three entry points
// (requestContext, the queue dispatcher, a Durable Object's correlated RPC) does that in one place.
import { AsyncLocalStorage } from "node:async_hooks";

const store = new AsyncLocalStorage<{ correlationId: string }>();

/** Header a webhook delivery carries with the id of the request that caused the event (see deliver-webhook.ts). */
export const CORRELATION_HEADER = "escra-request-id";

/** The correlation id of the work running now, or undefined outside any request, job or correlated call. */
export function currentCorrelationId(): string | undefined {
  return store.getStore()?.correlationId;
}

/** Runs `fn` with `correlationId` as the ambient id; a null/undefined id keeps the caller's (if any). */
export function withCorrelation<T>(correlationId: string | null | undefined, fn: () => T): T {
  if (!correlationId) return fn();
  return store.run({ correlationId }, fn);
}

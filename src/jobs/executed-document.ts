// When a contract becomes active its executed PDF is rendered, PAdES-sealed and kept in R2, and the execution record
// is made over the final file (src/services/contracts/get-executed-document.ts) — the effect of activation, off the
// signing path, so signing never waits for fonts, the seal or the TSA. The EVENTS consumer only hands the work to a
// DOCUMENTS queue message: rendering has its own queue and consumer, so a slow render or TSA never holds up events or
// the emails on JOBS. A seal without a timestamp (TSA down) is retried later (RetryLater); the execution record waits
// for the timestamp, and the last attempt makes it over the untimestamped seal rather than never.
import type { DomainEvent } from "../domain/events";
import type { Bindings } from "../env";
import { queueMessage } from "../lib/queue-messages";
import { getExecutedDocument } from "../services/contracts/get-executed-document";
import { RetryLater, type EventConsumer, type JobHandler } from "./types";

export const EXECUTED_DOCUMENT_JOB = "contract.executed-document";

/** Seconds before trying the TSA again for an untimestamped seal. */
export const RESEAL_DELAY_SECONDS = 300;

/** Puts a render of the contract's executed PDF on the DOCUMENTS queue (same `id` for the same cause). */
export async function enqueueExecutedDocument(env: Bindings, contractId: string, id: string): Promise<void> {
  await env.DOCUMENT_JOBS.send(queueMessage("documents", EXECUTED_DOCUMENT_JOB, id, { contractId }));
}

export const executedDocumentConsumer: EventConsumer = {
  name: "executed-document",
  async consume(event: DomainEvent, env) {
    if (event.type !== "contract.activated") return;
    const { contractId } = event.data as { contractId: string };
    // One job per activation event: a redelivered event queues the same message id again (the job is idempotent).
    await enqueueExecutedDocument(env, contractId, `msg_exec_${event.id}`);
  },
};

export const executedDocumentJob: JobHandler = async (message, env, ctx) => {
  const { contractId } = message.payload as { contractId: string };
  const { execution } = await getExecutedDocument(env, contractId, { acceptUntimestamped: ctx.lastAttempt });
  if (!execution) {
    throw new RetryLater(RESEAL_DELAY_SECONDS, "executed document sealed without a timestamp; re-sealing later");
  }
};

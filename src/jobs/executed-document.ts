// When a contract becomes active its executed PDF is rendered, PAdES-sealed, kept in R2 and its hash anchored
// (src/services/contracts/get-executed-document.ts) — the effect of activation, off the signing path, so signing
// never waits for fonts, the seal or the TSA. The EVENTS consumer only hands the work to a JOBS message, so a slow
// render or TSA never holds up the other events behind it; the job retries an untimestamped seal (TSA down) later
// (RetryLater) until it carries its timestamp, and its last attempt keeps the untimestamped seal.
import type { DomainEvent } from "../domain/events";
import { enqueueJob } from "../lib/jobs";
import { getExecutedDocument } from "../services/contracts/get-executed-document";
import { RetryLater, type EventConsumer, type JobHandler } from "./types";

export const EXECUTED_DOCUMENT_JOB = "contract.executed-document";

/** Seconds before trying the TSA again for an untimestamped seal. */
export const RESEAL_DELAY_SECONDS = 300;

export const executedDocumentConsumer: EventConsumer = {
  name: "executed-document",
  async consume(event: DomainEvent, env) {
    if (event.type !== "contract.activated") return;
    const { contractId } = event.data as { contractId: string };
    // One job per activation event: a redelivered event queues the same message id again (the job is idempotent).
    await enqueueJob(env, EXECUTED_DOCUMENT_JOB, { contractId }, { id: `msg_exec_${event.id}` });
  },
};

export const executedDocumentJob: JobHandler = async (message, env, ctx) => {
  const { contractId } = message.payload as { contractId: string };
  const { seal } = await getExecutedDocument(env, contractId);
  if (seal === "untimestamped" && env.TSA_URL && !ctx.lastAttempt) {
    throw new RetryLater(RESEAL_DELAY_SECONDS, "executed document sealed without a timestamp; re-sealing later");
  }
};

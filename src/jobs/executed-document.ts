// EVENTS consumer: when a contract becomes active, its executed PDF is rendered, PAdES-sealed, kept in R2 and its
// hash anchored (src/services/contracts/get-executed-document.ts) — the effect of activation, off the signing path,
// so signing never waits for fonts, the seal or the TSA. A seal made while the TSA was down is retried later here
// (RetryLater) until it carries its timestamp; the last attempt keeps the untimestamped seal.
import type { DomainEvent } from "../domain/events";
import { getExecutedDocument } from "../services/contracts/get-executed-document";
import { RetryLater, type EventConsumer } from "./types";

/** Seconds before trying the TSA again for an untimestamped seal. */
export const RESEAL_DELAY_SECONDS = 300;

export const executedDocumentConsumer: EventConsumer = {
  name: "executed-document",
  async consume(event: DomainEvent, env, ctx) {
    if (event.type !== "contract.activated") return;
    const { contractId } = event.data as { contractId: string };
    const { seal } = await getExecutedDocument(env, contractId);
    if (seal === "untimestamped" && env.TSA_URL && !ctx.lastAttempt) {
      throw new RetryLater(RESEAL_DELAY_SECONDS, "executed document sealed without a timestamp; re-sealing later");
    }
  },
};

// JOBS `escrow.payout`: transfers the seller's payout of a completed escrow under OUR reference (derived from the
// escrow id), so a retried job — after a timeout, a crash, or a provider error — can never pay twice: the
// provider refuses a second transfer with the same reference and we then take the first one as the payout.
// A seller without a payout account makes the job wait (long retries; the seller is emailed once), not fail.
// A payout that failed or was reversed is followed up: the seller is asked to fix the payout account, and a new
// attempt (NEW reference: payoutReference(id, generation)) goes out once the account on file has changed.
import type { Bindings } from "../env";
import { db } from "../db/client";
import { payoutRecipientOf } from "../db/payout-accounts";
import { findUserById } from "../db/users";
import { sendEmail } from "../lib/email";
import { enqueueJob } from "../lib/jobs";
import { providerNamed } from "../lib/payments";
import { payoutReference, ProviderError, type PaymentProvider } from "../lib/payments/provider";
import { classifyRefusal } from "../lib/payments/refusals";
import { log } from "../lib/request-context";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import { RetryLater, type DeliveryContext, type JobHandler } from "./types";

export const ESCROW_PAYOUT_JOB = "escrow.payout";

/** One job per escrow: the job id is derived too, so a redelivered escrow.completed does not queue a second. */
export function enqueuePayout(env: Bindings, escrowId: string) {
  return enqueueJob(env, ESCROW_PAYOUT_JOB, { escrowId }, { id: `payout:${escrowId}` });
}

/** How long a payout waits for the seller to add a payout account before looking again. */
export const PAYOUT_ACCOUNT_WAIT_SECONDS = 6 * 60 * 60;

/**
 * Where the seller's money goes: the transfer recipient of their payout account (PUT /users/me/payout-account)
 * at this provider; null when none is on file. The test provider alone falls back to a per-user recipient, so
 * development flows complete without bank details.
 */
async function recipientOf(env: Bindings, provider: PaymentProvider, sellerId: string): Promise<string | null> {
  const stored = await payoutRecipientOf(db(env.DB), sellerId, provider.name);
  if (stored) return stored;
  return provider.name === "test" ? `RCP_test_${sellerId}` : null;
}

export interface PayoutDeps {
  providerFor(env: Bindings, name: string): PaymentProvider;
  recipientFor(env: Bindings, provider: PaymentProvider, sellerId: string): Promise<string | null>;
}

/** The one "add a payout account" email of an escrow's payout: its delivery id is derived, so retries send none. */
export const payoutAccountEmailId = (escrowId: string) => `eml_payacct_${escrowId.replace(/^esc_/, "")}`;

async function waitForPayoutAccount(
  env: Bindings,
  ctx: DeliveryContext,
  escrowId: string,
  sellerId: string,
): Promise<void> {
  const seller = await findUserById(env.DB, sellerId);
  if (seller && !seller.deletedAt) {
    await sendEmail(env, {
      id: payoutAccountEmailId(escrowId),
      to: seller.email,
      userId: seller.id,
      template: "notice",
      data: {
        subject: "Add a payout account to receive your escrow payment",
        heading: "Your payout is waiting",
        lines: [
          `Escrow ${escrowId} is complete, but we have no bank account to pay you.`,
          "Add one with PUT /api/v1/users/me/payout-account; the payout is sent once it is on file.",
        ],
      },
    });
  }
  log("info", "payout waits for the seller's payout account", { escrowId, attempts: ctx.attempts });
  if (ctx.lastAttempt) {
    // A retry now would dead-letter it: hand over to a fresh message (same job id) that keeps waiting.
    await enqueueJob(
      env,
      ESCROW_PAYOUT_JOB,
      { escrowId },
      { id: `payout:${escrowId}`, delaySeconds: PAYOUT_ACCOUNT_WAIT_SECONDS },
    );
    return;
  }
  throw new RetryLater(PAYOUT_ACCOUNT_WAIT_SECONDS, "the seller has no payout account yet");
}

/** The follow-up job of a failed payout attempt: its own id per generation, so it is queued once per failure. */
const followUpJobId = (escrowId: string, generation: number) => `payout:${escrowId}:retry-${generation + 1}`;

/** The one "fix your payout account" email per failed attempt (derived id: a redelivered event sends none). */
export const payoutFailedEmailId = (escrowId: string, generation: number) =>
  `eml_payfix_${escrowId.replace(/^esc_/, "")}_${generation}`;

/**
 * After escrow.payout_failed (a failed or reversed transfer): asks the seller to fix their payout account and
 * queues a follow-up payout job, which retries with a new reference once the account on file changed.
 */
export async function payoutFollowUp(env: Bindings, escrowId: string): Promise<void> {
  const escrow = await escrowRoom(env, escrowId).get();
  if (
    !escrow ||
    escrow.status !== "completed" ||
    (escrow.payout.status !== "failed" && escrow.payout.status !== "reversed")
  )
    return;
  const seller = await findUserById(env.DB, escrow.sellerId);
  if (seller && !seller.deletedAt) {
    await sendEmail(env, {
      id: payoutFailedEmailId(escrowId, escrow.payout.generation),
      to: seller.email,
      userId: seller.id,
      template: "notice",
      data: {
        subject: "Your escrow payout did not reach your bank: update your payout account",
        heading: "Your payout needs a working account",
        lines: [
          `The payout of escrow ${escrowId} was ${escrow.payout.status === "reversed" ? "returned by your bank" : "refused"}` +
            (escrow.payout.lastError ? ` (${escrow.payout.lastError})` : "") +
            ".",
          "Update your bank account with PUT /api/v1/users/me/payout-account; the payout is sent again once it is changed.",
        ],
      },
    });
  }
  await enqueueJob(
    env,
    ESCROW_PAYOUT_JOB,
    { escrowId },
    { id: followUpJobId(escrowId, escrow.payout.generation), delaySeconds: PAYOUT_ACCOUNT_WAIT_SECONDS },
  );
}

export function payoutJob(overrides: Partial<PayoutDeps> = {}): JobHandler {
  const deps: PayoutDeps = { providerFor: providerNamed, recipientFor: recipientOf, ...overrides };
  return async (message, env, ctx) => {
    const escrowId = String(message.payload.escrowId ?? "");
    const room = escrowRoom(env, escrowId);
    let escrow = await room.get();
    // Nothing due: not completed (e.g. refunded), or already settled by an earlier attempt or a webhook.
    if (!escrow || escrow.status !== "completed" || escrow.payout.status === "sent") return;
    const provider = deps.providerFor(env, escrow.payment.provider);
    const recipient = await deps.recipientFor(env, provider, escrow.sellerId);
    if (!recipient) return waitForPayoutAccount(env, ctx, escrowId, escrow.sellerId);
    if (escrow.payout.status === "failed" || escrow.payout.status === "reversed") {
      // The same account would fail the same way: wait until the seller changed it (they were emailed).
      if (recipient === escrow.payout.recipient) return waitForNewAccount(env, ctx, escrowId);
      escrow = unwrap(await room.retryPayout());
    }
    const reference = payoutReference(escrowId, escrow.payout.generation);
    unwrap(await room.payoutRequested(reference, recipient));
    let status: "success" | "pending" | "failed";
    let reason = "the provider refused the transfer";
    try {
      const result = await provider.transfer({
        reference,
        amount: escrow.sellerPayout,
        currency: escrow.currency,
        recipient,
        reason: `Escra escrow ${escrowId}`,
      });
      status = result.status;
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      const refusal = classifyRefusal("transfer", err);
      if (refusal.kind === "done") {
        // The provider already has a transfer under our reference: an earlier attempt went through.
        log("info", "payout reference already used; the earlier transfer stands", { escrowId, reference });
        status = "success";
      } else if (refusal.kind === "refused") {
        status = "failed";
        reason = refusal.message;
      } else throw err;
    }
    if (status === "success") unwrap(await room.payoutSettled(reference, "sent", null));
    else if (status === "failed") unwrap(await room.payoutSettled(reference, "failed", reason));
    // pending: transfer.success|failed|reversed arrives on the webhook.
  };
}

async function waitForNewAccount(env: Bindings, ctx: DeliveryContext, escrowId: string): Promise<void> {
  log("info", "failed payout waits for the seller to change the payout account", { escrowId, attempts: ctx.attempts });
  if (ctx.lastAttempt) {
    await enqueueJob(
      env,
      ESCROW_PAYOUT_JOB,
      { escrowId },
      { id: `payout:${escrowId}:wait-${Date.now()}`, delaySeconds: PAYOUT_ACCOUNT_WAIT_SECONDS },
    );
    return;
  }
  throw new RetryLater(PAYOUT_ACCOUNT_WAIT_SECONDS, "the seller has not changed the payout account yet");
}

export const escrowPayoutJob = payoutJob();

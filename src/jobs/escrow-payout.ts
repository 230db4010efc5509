// JOBS `escrow.payout`: transfers the seller's payout of a completed escrow under OUR reference (derived from the
// escrow id), so a retried job — after a timeout, a crash, or a provider error — can never pay twice: the
// provider refuses a second transfer with the same reference and we then take the first one as the payout.
import type { Bindings } from "../env";
import { enqueueJob } from "../lib/jobs";
import { providerNamed } from "../lib/payments";
import { payoutReference, ProviderError, type PaymentProvider } from "../lib/payments/provider";
import { log } from "../lib/request-context";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { unwrap } from "../../durable-objects/lib/rpc-result";
import type { JobHandler } from "./types";

export const ESCROW_PAYOUT_JOB = "escrow.payout";

/** One job per escrow: the job id is derived too, so a redelivered escrow.completed does not queue a second. */
export function enqueuePayout(env: Bindings, escrowId: string) {
  return enqueueJob(env, ESCROW_PAYOUT_JOB, { escrowId }, { id: `payout:${escrowId}` });
}

/**
 * Where the seller's money goes. The test provider pays a per-user recipient; with Paystack the seller needs
 * a transfer recipient (bank account) on file, which escrow onboarding does not collect yet (see README).
 */
async function recipientOf(provider: PaymentProvider, sellerId: string): Promise<string> {
  if (provider.name === "test") return `RCP_test_${sellerId}`;
  throw new ProviderError("seller has no Paystack transfer recipient on file");
}

export interface PayoutDeps {
  providerFor(env: Bindings, name: string): PaymentProvider;
  recipientFor(provider: PaymentProvider, sellerId: string): Promise<string>;
}

export function payoutJob(deps: PayoutDeps = { providerFor: providerNamed, recipientFor: recipientOf }): JobHandler {
  return async (message, env) => {
    const escrowId = String(message.payload.escrowId ?? "");
    const room = escrowRoom(env, escrowId);
    const escrow = await room.get();
    // Nothing due: not completed (e.g. refunded), or already settled by an earlier attempt or a webhook.
    if (!escrow || escrow.status !== "completed" || escrow.payout.status === "sent") return;
    const provider = deps.providerFor(env, escrow.payment.provider);
    const recipient = await deps.recipientFor(provider, escrow.sellerId);
    const reference = payoutReference(escrowId);
    unwrap(await room.payoutRequested(reference));
    let status: "success" | "pending" | "failed";
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
      if (err instanceof ProviderError && /reference/i.test(err.message) && err.httpStatus !== null && err.httpStatus < 500) {
        // The provider already has a transfer under our reference: an earlier attempt went through.
        log("info", "payout reference already used; the earlier transfer stands", { escrowId, reference });
        status = "success";
      } else throw err;
    }
    if (status === "success") unwrap(await room.payoutSettled("sent", null));
    else if (status === "failed") unwrap(await room.payoutSettled("failed", "the provider refused the transfer"));
    // pending: transfer.success|failed|reversed arrives on the webhook.
  };
}

export const escrowPayoutJob = payoutJob();

// A signed charge.success under a reference of our shape whose escrow does not exist: the money arrived, so it is
// recorded as an unmatched payment (reason unknown_reference) and refunded by a queued job — never only logged. Called by the payment webhook before it acknowledges the event.
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { enqueueJob } from "../../lib/jobs";
import { log } from "../../lib/request-context";
import { db } from "../../db/client";
import { recordUnknownCharge as insertUnknownCharge } from "../../db/escrows";
import { REFUND_UNKNOWN_CHARGE_JOB } from "../../jobs/refund-unknown-charge";

export interface UnknownChargeInput {
  reference: string;
  /** integer minor units, as the provider reported them */
  amount: number;
  /** ISO 4217 */
  currency: string;
}

/**
 * Records the charge (once per reference) and queues its refund. A redelivered webhook is answered as a replay before
 * it gets here; should a second job still be queued (a retry after D1 failed mid-way), the refund is idempotent at
 * the provider and the record moves forward once.
 * @throws whatever D1 or the queue throws: the webhook then answers non-2xx and the provider retries
 */
export async function recordUnknownCharge(env: Bindings, input: UnknownChargeInput): Promise<void> {
  const row = await insertUnknownCharge(db(env.DB), {
    id: newId("pay"),
    reference: input.reference,
    // The deployment's provider sent it (Paystack in production; the local test provider in development).
    provider: env.PAYMENT_PROVIDER,
    amount: input.amount,
    currency: input.currency,
    at: new Date().toISOString(),
  });
  if (!row) {
    // The reference is recorded against an escrow already: reconciliation of that escrow owns it.
    log("warn", "charge for a reference already reconciled against an escrow; not recorded again", {
      reference: input.reference,
    });
    return;
  }
  log("warn", "payment for a reference we issued but no escrow holds; refunding it", {
    reference: input.reference,
    id: row.id,
  });
  if (row.state === "refund_pending")
    await enqueueJob(env, REFUND_UNKNOWN_CHARGE_JOB, { reference: input.reference }, { id: `refund:${row.id}` });
}

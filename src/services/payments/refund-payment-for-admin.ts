// An admin's refund of a payment that funded no escrow (POST /admin/payments/:id/refund): audited first, so even a
// refund the provider refuses leaves a trace of who asked; the refund itself is refundUnmatchedPayment's.
import type { Bindings } from "../../env";
import { recordAudit } from "../../lib/audit";
import { fail } from "../../lib/errors";
import { db } from "../../db/client";
import { findUnmatchedPayment, type UnmatchedPaymentRow } from "../../db/escrows";
import { refundUnmatchedPayment } from "./refund-unmatched-payment";

/**
 * Refunds unmatched payment `paymentId` in full on behalf of admin `adminId`.
 * @returns the payment's row as it stands after the request (refund_pending, refunded or refund_failed)
 * @throws ApiError RES001 unknown payment; RES002 already refunded; PAY001 refused by the provider; PROC001 the
 *   provider is unavailable
 */
export async function refundPaymentForAdmin(
  env: Bindings,
  adminId: string,
  paymentId: string,
  reason: string | null,
): Promise<UnmatchedPaymentRow> {
  const row = await findUnmatchedPayment(db(env.DB), paymentId);
  if (!row) throw fail.notFound("Payment");
  await recordAudit(env, {
    action: "payment.refund",
    actorId: adminId,
    resourceType: "payment",
    resourceId: paymentId,
    data: { reason, escrowId: row.escrowId },
  });
  const charge = await refundUnmatchedPayment(env, {
    escrowId: row.escrowId,
    reference: row.reference,
    answerRefusal: true,
  });
  return {
    ...row,
    state: charge.status,
    lastError: charge.lastError,
    updatedAt: charge.updatedAt,
    refundedAt: charge.refundedAt,
  };
}

// Admin resolution of disputed escrows: release (seller is paid) or refund (buyer is refunded by the provider);
// and reconciliation: every payment that funded no escrow, with its refund.
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope, jsonBody } from "../lib/openapi";
import { ok } from "../lib/respond";
import { requireAdmin, requireScope, principalOf } from "../lib/auth";
import { escrowView } from "../domain/escrow-view";
import {
  escrowIdParam,
  escrowSchema,
  optionalReasonBody,
  paymentIdParam,
  unmatchedPaymentSchema,
  unmatchedQuery,
} from "../schemas/escrows";
import { pageQuery, pageWindow, paginated } from "../lib/pagination";
import { listEnvelope } from "../lib/openapi";
import { db } from "../db/client";
import { listUnmatchedPayments, unmatchedPaymentView } from "../db/escrows";
import { refundPaymentForAdmin } from "../services/payments/refund-payment-for-admin";
import { resolveDispute } from "../services/escrows/resolve-dispute";

const releaseRoute = createRoute({
  ...bearerRoute(["Escrow", "Admin"], requireScope("admin:write"), requireAdmin()),
  method: "post",
  path: "/admin/escrows/{id}/release",
  summary: "Resolve a dispute for the seller: complete the escrow and queue the payout",
  request: { params: escrowIdParam, body: jsonBody(optionalReasonBody) },
  responses: answers(200, envelope(escrowSchema), "completed", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const refundRoute = createRoute({
  ...bearerRoute(["Escrow", "Admin"], requireScope("admin:write"), requireAdmin()),
  method: "post",
  path: "/admin/escrows/{id}/refund",
  summary: "Refund the buyer (a disputed or funded escrow); the provider refund is queued",
  request: { params: escrowIdParam, body: jsonBody(optionalReasonBody) },
  responses: answers(200, envelope(escrowSchema), "refunded", "AUTH003", "AUTH004", "RES001", "RES002"),
});

const unmatchedRoute = createRoute({
  ...bearerRoute(["Escrow", "Admin", "Payments"], requireScope("admin:read"), requireAdmin()),
  method: "get",
  path: "/admin/payments/unmatched",
  summary:
    "Payments that funded no escrow (duplicate or superseded reference, amount/currency mismatch, cancelled or expired escrow)",
  description:
    "Each was refunded automatically through the provider: `refund_pending` until the provider confirms, then " +
    "`refunded`; `refund_failed` needs an operator (POST /admin/payments/{id}/refund). Newest first.",
  request: { query: pageQuery.extend(unmatchedQuery.shape) },
  responses: answers(
    200,
    listEnvelope(unmatchedPaymentSchema),
    "a page of unmatched payments",
    "VAL001",
    "AUTH003",
    "AUTH004",
  ),
});

const refundPaymentRoute = createRoute({
  ...bearerRoute(["Escrow", "Admin", "Payments"], requireScope("admin:write"), requireAdmin()),
  method: "post",
  path: "/admin/payments/{id}/refund",
  summary: "Ask the provider again to refund an unmatched payment in full",
  description:
    "RES002 once it is refunded. PAY001: the provider refused the refund (the message says why; the payment stays " +
    "`refund_failed`); PROC001: the provider is unavailable, try again. The escrow's timeline records each step.",
  request: { params: paymentIdParam, body: jsonBody(optionalReasonBody) },
  responses: answers(
    200,
    envelope(unmatchedPaymentSchema),
    "the payment (refunded, or refund_pending until the provider confirms)",
    "VAL001",
    "AUTH003",
    "AUTH004",
    "RES001",
    "RES002",
    "PAY001",
    "PROC001",
  ),
});

export const adminEscrowRoutes = createRouter()
  .openapi(unmatchedRoute, async (c) => {
    const { page, perPage, state } = c.req.valid("query");
    const { items, total } = await listUnmatchedPayments(db(c.env.DB), state, pageWindow({ page, perPage }));
    return paginated(c, items, { page, perPage }, total);
  })
  .openapi(refundPaymentRoute, async (c) => {
    const { reason } = c.req.valid("json");
    const row = await refundPaymentForAdmin(c.env, principalOf(c).userId, c.req.valid("param").id, reason ?? null);
    return ok(c, unmatchedPaymentView(row), 200);
  })
  .openapi(releaseRoute, async (c) => {
    const { reason } = c.req.valid("json");
    const state = await resolveDispute(
      c.env,
      principalOf(c).userId,
      c.req.valid("param").id,
      "release",
      reason ?? null,
    );
    return ok(c, escrowView(state), 200);
  })
  .openapi(refundRoute, async (c) => {
    const { reason } = c.req.valid("json");
    const state = await resolveDispute(c.env, principalOf(c).userId, c.req.valid("param").id, "refund", reason ?? null);
    return ok(c, escrowView(state), 200);
  });

// zod/OpenAPI schemas of the escrow routes (requests and the escrow view of API.md).
import { z } from "@hono/zod-openapi";
import { CURRENCIES } from "../domain/money";
import { ESCROW_STATUSES } from "../domain/escrow-machine";
import { UNMATCHED_REASONS } from "../domain/events";
import { renderableText } from "../lib/fonts";

const idOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{20}$`), `expected a ${prefix}_ id`);

export const escrowIdParam = z.object({
  id: idOf("esc").openapi({ param: { name: "id", in: "path" }, example: "esc_3xY9aBcDeFgHiJkLmNoP" }),
});

export const escrowSchema = z
  .object({
    id: z.string(),
    status: z.enum(ESCROW_STATUSES),
    buyerId: z.string(),
    sellerId: z.string(),
    listingId: z.string().nullable(),
    contractId: z.string().nullable(),
    amount: z.number().int().openapi({ description: "integer minor units" }),
    currency: z.string(),
    commission: z.number().int(),
    sellerPayout: z.number().int(),
    description: z.string(),
    inspectionPeriodHours: z.number().int(),
    payment: z.object({ provider: z.string(), reference: z.string().nullable(), status: z.string() }),
    payout: z.object({ status: z.string() }),
    deliveredAt: z.string().nullable(),
    inspectionEndsAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    fundedAt: z.string().nullable(),
    releasedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    refundedAt: z.string().nullable(),
    disputedAt: z.string().nullable(),
    disputeReason: z.string().nullable(),
  })
  .openapi("Escrow");

export const createEscrowBody = z
  .object({
    sellerEmail: z.email().max(320).optional(),
    listingId: idOf("lst").optional(),
    amount: z
      .number()
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "integer minor units (from the listing when buying one)" }),
    currency: z.enum(CURRENCIES).optional(),
    // The generated escrow contract shows it (title and terms): every character must render (VAL001 here, not later).
    description: z.string().trim().min(1).max(2_000).superRefine(renderableText),
    inspectionPeriodHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(72),
    contractId: idOf("ctr").optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.sellerEmail === !v.listingId)
      ctx.addIssue({ code: "custom", path: ["sellerEmail"], message: "give exactly one of sellerEmail or listingId" });
    if (v.sellerEmail && v.amount === undefined)
      ctx.addIssue({ code: "custom", path: ["amount"], message: "amount is required with sellerEmail" });
    if (v.sellerEmail && v.currency === undefined)
      ctx.addIssue({ code: "custom", path: ["currency"], message: "currency is required with sellerEmail" });
  });

export const listEscrowsQuery = z.object({
  status: z.enum(ESCROW_STATUSES).optional(),
  role: z.enum(["buyer", "seller"]).optional(),
  payoutStatus: z
    .string()
    .regex(
      /^(none|queued|sent|failed|reversed)(,(none|queued|sent|failed|reversed)){0,4}$/,
      "comma-separated payout statuses",
    )
    .optional()
    .openapi({
      description: "e.g. `failed,reversed`: payouts that need a follow-up (admins see every escrow's)",
      example: "failed,reversed",
    }),
});

export { auditEventSchema } from "./audit-trail";

export const fundResponse = z.object({
  payment: z.object({ provider: z.string(), reference: z.string(), authorizationUrl: z.string() }),
});

export const deliverBody = z.object({
  credentials: z
    .record(z.string().min(1).max(100), z.unknown())
    .refine((v) => Object.keys(v).length > 0, "credentials must not be empty")
    .refine((v) => JSON.stringify(v).length <= 16_384, "credentials must be at most 16 KB"),
});

export const revealResponse = z.object({ escrow: escrowSchema, credentials: z.record(z.string(), z.unknown()) });

export const reasonBody = z.object({ reason: z.string().trim().min(1).max(2_000) });
export const optionalReasonBody = z.object({ reason: z.string().trim().min(1).max(2_000).optional() });

export const paymentIdParam = z.object({
  id: idOf("pay").openapi({ param: { name: "id", in: "path" }, example: "pay_3xY9aBcDeFgHiJkLmNoP" }),
});

export const unmatchedPaymentSchema = z
  .object({
    id: z.string().openapi({ description: "pay_… id" }),
    state: z.enum(["refund_pending", "refunded", "refund_failed"]),
    amount: z.number().int().openapi({ description: "integer minor units, as charged" }),
    currency: z.string(),
    reference: z.string().openapi({ description: "the provider's charge reference (issued by the escrow)" }),
    escrowId: z
      .string()
      .nullable()
      .openapi({ description: "the escrow the reference names; null for a reference we never issued" }),
    reason: z.enum(UNMATCHED_REASONS),
    provider: z.string(),
    lastError: z.string().nullable(),
    receivedAt: z.string(),
    updatedAt: z.string(),
    refundedAt: z.string().nullable(),
  })
  .openapi("UnmatchedPayment");

export const unmatchedQuery = z.object({ state: z.enum(["refund_pending", "refunded", "refund_failed"]).optional() });

// zod schemas of /reports and /analytics: the filters every report takes, the report bodies and the export record.
import { z } from "@hono/zod-openapi";
import { instant } from "../lib/time";
import { isoDate } from "../lib/openapi";
import { CONTRACT_STATUSES, ESCROW_STATUSES } from "../domain/events";
import { PERIODS, REPORT_FORMATS, REPORT_KINDS, REPORT_STATUSES } from "../domain/reports";

export const reportFilterFields = {
  period: z.enum(PERIODS).optional().openapi({ description: "bucket of the time series (default month)" }),
  startDate: instant({ description: "start of the window (default: 365 days before endDate)" }).optional(),
  endDate: instant({ description: "end of the window (default: now)" }).optional(),
  teamId: z
    .string()
    .regex(/^team_[0-9A-Za-z]{20}$/, "expected a team_ id")
    .optional()
    .openapi({ description: "only this team's contracts (you must be a member, or an admin)" }),
  type: z.string().trim().min(1).max(60).optional().openapi({ description: "contract type, e.g. nda" }),
  status: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .optional()
    .openapi({ description: "contract status (contracts, signatures) or escrow status (escrows)" }),
};

export const reportQuery = z.object(reportFilterFields);
export type ReportQuery = z.infer<typeof reportQuery>;

const windowSchema = z.object({ startDate: z.string(), endDate: z.string(), period: z.enum(PERIODS) });
const band = z.object({ band: z.string().openapi({ example: "8-30d" }), count: z.number().int() });
const nullableNumber = z.number().nullable();

export const contractsReportSchema = z
  .object({
    window: windowSchema,
    total: z.number().int().openapi({ description: "contracts created in the window" }),
    byStatus: z.record(z.enum(CONTRACT_STATUSES), z.number().int()),
    ageing: z.object({
      pending: z.array(band).openapi({ description: "waiting for signatures, by days since sent" }),
      draft: z.array(band).openapi({ description: "drafts, by days since created" }),
    }),
    series: z.array(
      z.object({
        period: z.string(),
        created: z.number().int(),
        sent: z.number().int(),
        executed: z.number().int(),
        cancelled: z.number().int(),
      }),
    ),
  })
  .openapi("ContractsReport");

export const signaturesReportSchema = z
  .object({
    window: windowSchema,
    totals: z.object({
      sent: z.number().int(),
      completed: z.number().int().openapi({ description: "sent in the window and fully signed" }),
      completionRate: nullableNumber.openapi({ description: "completed / sent, 4 decimals; null when none sent" }),
      signatures: z.number().int(),
      medianHoursToSign: nullableNumber.openapi({
        description: "median hours from sending to each signer's signature",
      }),
    }),
    approverTurnaround: z.object({
      approvals: z.number().int(),
      medianHours: nullableNumber,
      averageHours: nullableNumber,
    }),
    series: z.array(
      z.object({
        period: z.string(),
        sent: z.number().int(),
        completed: z.number().int(),
        completionRate: nullableNumber,
        signatures: z.number().int(),
        medianHoursToSign: nullableNumber,
        approvals: z.number().int(),
        approverMedianHours: nullableNumber,
      }),
    ),
  })
  .openapi("SignaturesReport");

export const activityReportSchema = z
  .object({
    window: windowSchema,
    users: z.array(
      z.object({
        userId: z.string(),
        name: z.string(),
        email: z.string(),
        contractsCreated: z.number().int(),
        contractsSent: z.number().int(),
        signaturesGiven: z.number().int(),
        escrowsOpened: z.number().int(),
      }),
    ),
    truncated: z.boolean().openapi({ description: "more people were active than listed; export the report for all" }),
  })
  .openapi("ActivityReport");

export const escrowsReportSchema = z
  .object({
    window: windowSchema,
    byStatus: z.record(z.enum(ESCROW_STATUSES), z.number().int()),
    byCurrency: z.array(
      z.object({
        currency: z.string(),
        count: z.number().int(),
        funded: z.number().int(),
        volume: z.number().int().openapi({ description: "minor units funded" }),
        commission: z.number().int().openapi({ description: "minor units earned on released escrows" }),
        payouts: z.number().int().openapi({ description: "minor units paid out to sellers" }),
        refunded: z.number().int().openapi({ description: "minor units refunded to buyers" }),
      }),
    ),
    disputes: z.object({
      opened: z.number().int(),
      open: z.number().int(),
      refunded: z.number().int(),
      released: z.number().int(),
    }),
    series: z.array(z.object({ period: z.string(), created: z.number().int(), funded: z.number().int() })),
  })
  .openapi("EscrowsReport");

export const createReportBody = z
  .object({
    kind: z.enum(REPORT_KINDS),
    format: z.enum(REPORT_FORMATS),
    filters: z.object(reportFilterFields).strict().default({}),
  })
  .strict()
  .openapi("ReportExportRequest");
export type CreateReportInput = z.infer<typeof createReportBody>;

export const reportRecordSchema = z
  .object({
    id: z.string().openapi({ example: "rpt_0123456789ABCDEFGHIJ" }),
    kind: z.enum(REPORT_KINDS),
    format: z.enum(REPORT_FORMATS),
    status: z.enum(REPORT_STATUSES),
    progress: z.number().int().min(0).max(100),
    rowCount: z.number().int().nullable(),
    size: z.number().int().nullable().openapi({ description: "bytes of the file once ready" }),
    filters: z.object({
      period: z.enum(PERIODS),
      startDate: z.string(),
      endDate: z.string(),
      teamId: z.string().optional(),
      type: z.string().optional(),
      status: z.string().optional(),
    }),
    error: z.string().nullable(),
    createdAt: isoDate,
    completedAt: isoDate.nullable(),
    expiresAt: isoDate,
    downloadUrl: z.string().nullable().openapi({ description: "once ready: GET it with the same credentials" }),
  })
  .openapi("ReportExport");

export const reportIdParam = z.object({
  id: z
    .string()
    .regex(/^rpt_[0-9A-Za-z]{20}$/, "expected a rpt_ id")
    .openapi({ param: { name: "id", in: "path" } }),
});

// zod schemas of the contracts API (request bodies, the contract object) shared by the contracts route modules.
import { z } from "@hono/zod-openapi";
import { moneySchema } from "../lib/openapi";
import { INSTANT_RULE, instant } from "../lib/time";
import { CONTRACT_STATUSES, MAX_SIGNERS, SIGNER_ROLES, SIGNER_STATUSES } from "../domain/contract-machine";
import { renderableText } from "../lib/fonts";
import { oneLine } from "../domain/one-line-text";

export const MAX_BODY_CHARS = 100_000;

export const contractIdParam = z.object({
  id: z
    .string()
    .regex(/^ctr_[0-9A-Za-z]{20}$/, "expected a ctr_ id")
    .openapi({ param: { name: "id", in: "path" }, example: "ctr_0123456789abcdefghij" }),
});

/** When a pending contract expires unsigned; any RFC 3339 offset in, a UTC instant stored and answered. */
const futureDate = instant({ future: true, description: "When the contract expires if not every party has acted" });
const utc = z.string().openapi({ format: "date-time", description: `UTC instant (${INSTANT_RULE})` });
const tag = z.string().trim().min(1).max(50);
const variables = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, "variable names are letters, digits, _ and ."),
    z.string().max(10_000).superRefine(renderableText),
  )
  .refine((v) => Object.keys(v).length <= 100, "at most 100 variables");

export const signerInput = z
  .object({
    email: z.string().trim().email().max(254),
    name: z.string().trim().min(1).max(200).superRefine(renderableText),
    role: z.enum(SIGNER_ROLES).default("signer"),
    order: z.number().int().min(1).max(100).default(1),
  })
  .openapi("SignerInput");

/** A title is one line of text: it becomes email subjects, PDF headings and notification titles. */
const contractTitle = z.string().trim().min(1).max(300).superRefine(oneLine);

export const createContractBody = z
  .object({
    title: contractTitle.superRefine(renderableText),
    type: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .superRefine(renderableText)
      .optional()
      .openapi({ example: "nda", description: "required unless templateId is given (then the template's type)" }),
    description: z.string().max(5_000).superRefine(renderableText).optional(),
    body: z.string().max(MAX_BODY_CHARS).superRefine(renderableText).optional(),
    templateId: z
      .string()
      .regex(/^tpl_[0-9A-Za-z]{20}$/, "expected a tpl_ id")
      .optional(),
    variables: variables.optional(),
    value: moneySchema.optional(),
    tags: z.array(tag).max(20).optional(),
    category: z.string().trim().min(1).max(100).optional(),
    signers: z.array(signerInput).max(MAX_SIGNERS).optional(),
    expiresAt: futureDate.optional(),
    teamId: z
      .string()
      .regex(/^team_[0-9A-Za-z]{20}$/, "expected a team_ id")
      .optional(),
  })
  .refine((b) => !(b.body !== undefined && b.templateId !== undefined), {
    message: "give either body or templateId, not both",
    path: ["body"],
  })
  .refine((b) => b.type !== undefined || b.templateId !== undefined, {
    message: "type is required without a templateId",
    path: ["type"],
  })
  .openapi("CreateContract");

export const patchContractBody = z
  .object({
    title: contractTitle.superRefine(renderableText).optional(),
    type: z.string().trim().min(1).max(60).superRefine(renderableText).optional(),
    description: z.string().max(5_000).superRefine(renderableText).nullable().optional(),
    body: z.string().max(MAX_BODY_CHARS).superRefine(renderableText).optional(),
    variables: variables.optional(),
    value: moneySchema.nullable().optional(),
    tags: z.array(tag).max(20).optional(),
    category: z.string().trim().min(1).max(100).nullable().optional(),
    expiresAt: futureDate.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "nothing to change", path: [] })
  .openapi("PatchContract");

export const signerSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(SIGNER_ROLES),
    order: z.number().int(),
    status: z.enum(SIGNER_STATUSES),
    signedAt: z.string().nullable(),
    signature: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("Signer");

export const attachmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    createdAt: z.string(),
  })
  .openapi("Attachment");

export const contractSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    type: z.string(),
    description: z.string().nullable(),
    status: z.enum(CONTRACT_STATUSES),
    version: z.number().int(),
    ownerId: z.string(),
    teamId: z.string().nullable(),
    templateId: z.string().nullable(),
    templateVersion: z.number().int().nullable(),
    body: z.string(),
    variables: z.record(z.string(), z.string()),
    value: moneySchema.nullable(),
    tags: z.array(z.string()),
    category: z.string().nullable(),
    signers: z.array(signerSchema),
    attachments: z.array(attachmentSchema),
    documentHash: z.string().nullable(),
    expiresAt: utc.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().nullable(),
    activatedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
  })
  .openapi("Contract");

/** The ESIGN/eIDAS consent wording (src/domain/consent.ts): the signer view's `party.consent`, GET /signing/consent. */
export const signingConsentSchema = z
  .object({
    version: z.string().openapi({
      example: "esign-eidas-2026-11-30",
      description: "names this exact wording; a new wording gets a new version",
    }),
    text: z.string().openapi({ example: "I agree to use electronic records and signatures for this document. …" }),
  })
  .openapi("SigningConsent", {
    description:
      "the consent to electronic records and signatures (US ESIGN Act, EU eIDAS) to show the party word for word, " +
      "next to the box they tick, before signing; `consent: true` on POST /contracts/:id/sign states they agreed " +
      "to this text, and the certificate of completion quotes it",
  });

/** GET /contracts/:id read with a signing token: the contract as its party sees it (domain/contract-view partyView). */
export const partyContractSchema = contractSchema
  .extend({
    party: z
      .object({
        signerId: z.string(),
        role: z.enum(SIGNER_ROLES),
        status: z.enum(SIGNER_STATUSES),
        mayAct: z.boolean().openapi({ description: "the contract is pending and it is this party's turn to act" }),
        requestedBy: z
          .object({ name: z.string(), email: z.string() })
          .nullable()
          .openapi({ description: "the sender" }),
        consent: signingConsentSchema,
      })
      .openapi({ description: "present only when read with X-Signing-Token: the reader's own party" }),
  })
  .openapi("PartyContract");

export const versionSchema = z
  .object({
    version: z.number().int(),
    title: z.string(),
    type: z.string(),
    description: z.string().nullable(),
    body: z.string(),
    variables: z.record(z.string(), z.string()),
    value: moneySchema.nullable(),
    tags: z.array(z.string()),
    category: z.string().nullable(),
    expiresAt: utc.nullable(),
    authorId: z.string(),
    createdAt: z.string(),
  })
  .openapi("ContractVersion");

export { auditEventSchema } from "./audit-trail";

export const listContractsQuery = z.object({
  status: z.enum(CONTRACT_STATUSES).optional(),
  type: z.string().trim().min(1).max(60).optional(),
  tag: z.string().trim().min(1).max(50).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});

/** POST /contracts/bulk: one action over up to 100 distinct contract ids. */
export const bulkContractsBody = z
  .object({
    action: z.enum(["cancel", "delete", "tag"]),
    ids: z
      .array(z.string().regex(/^ctr_[0-9A-Za-z]{20}$/, "expected a ctr_ id"))
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, "ids must be unique"),
    tags: z.array(z.string().trim().min(1).max(50)).min(1).max(20).optional(),
    reason: z.string().trim().min(1).max(2_000).optional(),
  })
  .refine((b) => b.action !== "tag" || b.tags !== undefined, {
    message: "tags are required for action tag",
    path: ["tags"],
  })
  .openapi("BulkContracts");

/** The outcome for one id of a bulk request: its new status, or the error that id alone met. */
export const bulkResultSchema = z
  .object({
    id: z.string(),
    ok: z.boolean(),
    status: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi("BulkResult");

export type BulkContractsInput = z.infer<typeof bulkContractsBody>;
export type BulkResult = z.infer<typeof bulkResultSchema>;

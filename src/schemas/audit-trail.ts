// The one public view of an aggregate's hash-chained audit event (contracts, escrows): see domain/audit-chain.ts.
import { z } from "@hono/zod-openapi";

export const auditEventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    actorId: z.string().nullable(),
    at: z.string(),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
    disclosures: z
      .record(z.string(), z.string())
      .optional()
      .openapi({
        description:
          "Salt per personal field of `data` shown in clear; the chain hashed `commit:sha256:` + " +
          'sha256(salt + ":" + canonical(value)) in its place. An erased field shows its commitment and has no salt.',
      }),
  })
  .openapi("AuditEvent");

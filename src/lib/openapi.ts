// Schema builders shared by every route definition, so the OpenAPI document describes the real envelopes.
import { z } from "@hono/zod-openapi";
import { ERROR_STATUS, type ErrorCode } from "./errors";

export const metadataSchema = z
  .object({ timestamp: z.string(), requestId: z.string(), version: z.literal("v1") })
  .openapi("Metadata");

export const errorEnvelopeSchema = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: "VAL001" }),
      message: z.string(),
      details: z.any().optional(),
    }),
    metadata: metadataSchema,
  })
  .openapi("Error");

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, metadata: metadataSchema });
}

export const paginationSchema = z
  .object({ total: z.number().int(), page: z.number().int(), perPage: z.number().int(), totalPages: z.number().int() })
  .openapi("Pagination");
export const linksSchema = z
  .object({ first: z.string(), prev: z.string().nullable(), next: z.string().nullable(), last: z.string() })
  .openapi("Links");

export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({
    success: z.literal(true),
    data: z.array(item),
    pagination: paginationSchema,
    links: linksSchema,
    metadata: metadataSchema,
  });
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

/** Error responses a route can produce, documented with the shared error schema. */
export function errorResponses(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ["VAL001", "RATE001", "SYS001", ...codes] as ErrorCode[]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, jsonContent(errorEnvelopeSchema, list.join(", "))]),
  );
}

/** A time the API answers: always a UTC instant (`…Z`); time inputs use lib/time.ts `instant()` instead. */
export const isoDate = z
  .string()
  .datetime({ offset: true })
  .openapi({ example: "2026-11-22T12:00:00.000Z", description: "UTC instant, YYYY-MM-DDTHH:MM:SS.sssZ" });
export const moneySchema = z
  .object({
    amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({ description: "integer minor units" }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .openapi({ example: "NGN" }),
  })
  .openapi("Money");

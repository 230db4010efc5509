// Schema builders shared by every route definition, so the OpenAPI document describes the real envelopes.
import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
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

/**
 * A route's `responses`: its one success answer (status, JSON schema, description) and the error codes it can
 * produce besides the ones every route can (VAL001, RATE001, SYS001).
 */
export function answers<S extends number, T extends z.ZodType>(
  status: S,
  schema: T,
  description: string,
  ...codes: ErrorCode[]
) {
  // Typed as a literal `{ 200: …, ...errorResponses(…) }` is (a spread index signature adds nothing), so the
  // handler's answers are checked against the success schema only, as everywhere else.
  return { [status]: jsonContent(schema, description), ...errorResponses(...codes) } as Record<
    S,
    ReturnType<typeof jsonContent<T>>
  >;
}

/**
 * The `responses` of a route whose success is not a JSON envelope — a file (`fileContent`), a redirect, an empty
 * body: that one response object as written, and the error codes it can produce besides VAL001, RATE001, SYS001.
 */
export function answersRaw<S extends number, R extends { description: string }>(
  status: S,
  response: R,
  ...codes: ErrorCode[]
) {
  // Typed as `answers` is: only the success response is checked against the handler.
  return { [status]: response, ...errorResponses(...codes) } as Record<S, R>;
}

/** Bytes in the reference (a PDF, a file download): an unnamed `string` of format `binary`. */
export const binarySchema = z.string().openapi({ format: "binary" });

/** A success response carrying a file of one of `mediaTypes` (e.g. `application/pdf`) instead of an envelope. */
export function fileContent(description: string, ...mediaTypes: string[]) {
  return { description, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: binarySchema }])) };
}

/**
 * A path parameter: a non-empty string of at most 64 characters. A well-formed id that names nothing (or something
 * the caller may not see) is the lookup's RES001, not a validation error.
 */
export function pathParam(name: string) {
  return z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: "path" } });
}

/** The `{id}` path parameters of a resource's routes. */
export const idParams = z.object({ id: pathParam("id") });

/** The answer of a deletion: the deleted resource's id. */
export const deletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });
/** The answer of a revocation (a session, a share, an invitation): the revoked thing's id. */
export const revokedSchema = z.object({ id: z.string(), revoked: z.literal(true) });

/** OpenAPI `security` of a route called with `Authorization: Bearer` (an access JWT, an API key or an OAuth token). */
export const bearerSecurity = [{ bearer: [] as string[] }];

/**
 * What a route called with a bearer token shares with its group: its tag in the reference (or tags, when it belongs
 * to several groups), the bearer scheme, and its middleware — the access guard first (lib/auth.ts:
 * `requireScope(…)`, `requireSession()`), then any other.
 * @example createRoute({ ...bearerRoute("Webhooks", requireScope("webhooks:read")), method: "get", path: … })
 */
export function bearerRoute(tag: string | readonly string[], ...middleware: MiddlewareHandler<AppEnv>[]) {
  return { tags: tagList(tag), security: bearerSecurity, middleware };
}

/**
 * What a route called without a bearer token shares with its group: its tag(s) and its middleware — the access
 * guard first (`publicRoute()`: anyone, the handler authenticating by other means if it must), then any other
 * (rate limits, …). It publishes no `security`, as the route takes no Authorization.
 * @example createRoute({ ...openRoute("Auth", publicRoute(), ipLimit("login")), method: "post", path: … })
 */
export function openRoute(tag: string | readonly string[], ...middleware: MiddlewareHandler<AppEnv>[]) {
  return { tags: tagList(tag), middleware };
}

function tagList(tag: string | readonly string[]): string[] {
  return typeof tag === "string" ? [tag] : [...tag];
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

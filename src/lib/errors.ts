// The one way to fail a request: throw ApiError with a stable code from API.md's table.
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERROR_STATUS = {
  AUTH001: 401,
  AUTH002: 401,
  AUTH003: 403,
  AUTH004: 401,
  AUTH005: 401,
  AUTH006: 403,
  AUTH007: 423,
  VAL001: 400,
  VAL003: 413,
  VAL004: 415,
  RES001: 404,
  RES002: 409,
  RES003: 422,
  PAY001: 402,
  PROC001: 502,
  RATE001: 429,
  SYS001: 500,
  SYS002: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details: ErrorDetail[] | Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: ErrorDetail[] | Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** Shorthands for the errors routes throw most. */
export const fail = {
  notFound: (what = "Resource") => new ApiError("RES001", `${what} not found`),
  conflict: (message: string, details?: Record<string, unknown>) =>
    new ApiError("RES002", message, details ? { details } : {}),
  forbidden: (message = "You are not allowed to do this") => new ApiError("AUTH003", message),
  unauthenticated: (message = "Authentication required") => new ApiError("AUTH004", message),
  invalid: (details: ErrorDetail[], message = "Request validation failed") =>
    new ApiError("VAL001", message, { details }),
};

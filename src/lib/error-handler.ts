// Turns anything thrown into the error envelope; internals are logged, never returned.
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "../env";
import { ApiError, type ErrorDetail } from "./errors";
import { ProviderError } from "./payments/provider";
import { providerMessage, providerRefusal } from "./provider-errors";
import { log } from "./request-context";
import { metadata } from "./respond";

export function errorResponse(c: Context<AppEnv>, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return c.json({ success: false as const, error: body, metadata: metadata(c) }, error.status);
}

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof ZodError)
    return errorResponse(c, new ApiError("VAL001", "Request validation failed", { details: zodDetails(err) }));
  if (err instanceof HTTPException) return errorResponse(c, fromHttpException(err));
  // A payment provider failure that no route mapped with more precise guidance is still the provider's, not ours.
  if (err instanceof ProviderError) {
    log("warn", "payment provider failure", {
      requestId: c.get("requestId"),
      status: err.httpStatus,
      error: err.message,
    });
    const message = "The payment provider did not complete the request; nothing was changed. Try again in a minute";
    return errorResponse(c, new ApiError("PROC001", message));
  }
  // A provider's predictable refusal (D1, R2, Queues, chain RPC) is a client error with guidance, never a 500;
  // the provider's own message stays in the server log.
  const refusal = providerRefusal(err);
  if (refusal) {
    log("warn", "provider refused", {
      requestId: c.get("requestId"),
      provider: refusal.provider,
      kind: refusal.kind,
      code: refusal.error.code,
      error: providerMessage(err),
    });
    return errorResponse(c, refusal.error);
  }
  log("error", "unhandled error", {
    requestId: c.get("requestId"),
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    // drizzle wraps D1's refusal ("Failed query: …"); D1's own reason (e.g. too many SQL variables) is the cause.
    causes: causesOf(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  return errorResponse(c, new ApiError("SYS001", "An unexpected error occurred"));
};

/** Messages of the `cause` chain (outermost first, at most 5), so the log names the database's own error. */
export function causesOf(err: unknown): string[] {
  const causes: string[] = [];
  let current = err instanceof Error ? err.cause : undefined;
  while (current !== undefined && current !== null && causes.length < 5) {
    causes.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return causes;
}

function fromHttpException(err: HTTPException): ApiError {
  switch (err.status) {
    case 400:
      return new ApiError("VAL001", /json/i.test(err.message) ? "Malformed JSON in request body" : "Bad request", {
        details: [{ path: "", message: err.message || "Bad request" }],
      });
    case 401:
      return new ApiError("AUTH004", "Authentication required");
    case 403:
      return new ApiError("AUTH003", "You are not allowed to do this");
    case 404:
      return new ApiError("RES001", "Resource not found");
    case 413:
      return new ApiError("VAL003", "Request body too large");
    case 415:
      return new ApiError("VAL004", "Unsupported media type");
    case 429:
      return new ApiError("RATE001", "Rate limit exceeded");
    default:
      return err.status >= 500
        ? new ApiError("SYS001", "An unexpected error occurred")
        : new ApiError("VAL001", "Bad request");
  }
}

/**
 * Innermost middleware: Hono hands only `Error` instances to onError and lets anything else (a thrown string, a
 * library rejecting with a plain object) escape as a bare 500. Wrapping it here gives it the SYS001 envelope.
 */
export const normalizeThrown: MiddlewareHandler<AppEnv> = async (c, next) => {
  try {
    await next();
  } catch (err) {
    if (err instanceof Error) throw err;
    const wrapped = new Error(`non-Error thrown: ${typeof err === "string" ? err : JSON.stringify(err)}`.slice(0, 500));
    throw wrapped;
  }
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ApiError("RES001", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));

// Errors cross the Durable Object RPC boundary as plain data: an ApiError thrown inside an object would reach the
// Worker as a generic Error (class and code lost), so room methods return RpcResult and routes unwrap it.
import { ApiError, type ErrorCode, type ErrorDetail } from "../../src/lib/errors";

export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; details?: ErrorDetail[] | Record<string, unknown> } };

/** Runs a room method body; an ApiError becomes a failed result, anything else is a bug and stays thrown. */
export async function rpcResult<T>(body: () => T | Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (err) {
    if (err instanceof ApiError) {
      return {
        ok: false,
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      };
    }
    throw err;
  }
}

/** On the Worker side: the value, or the room's ApiError rethrown. */
export function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(
    result.error.code,
    result.error.message,
    result.error.details ? { details: result.error.details } : {},
  );
}

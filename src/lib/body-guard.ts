// Bounds every request body before a handler reads it: size (VAL003) and media type (VAL004).
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ACCEPTED_TYPES = ["application/json", "multipart/form-data", "application/octet-stream"];

/** Routes that stream large uploads set their own limit by path. */
export const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
const LARGE_BODY_ROUTES = [/\/attachments(\/|$)/, /\/uploads\//, /\/avatar$/, /\/proofs$/, /\/verify$/];
/** OAuth endpoints take application/x-www-form-urlencoded, as RFC 6749 §4.1.3 and RFC 7009 §2.1 require. */
const FORM_ROUTES = new Set(["/api/v1/oauth/token", "/api/v1/oauth/revoke"]);

export const bodyGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!METHODS_WITH_BODY.has(c.req.method)) return next();
  const length = c.req.header("content-length");
  const hasBody = c.req.raw.body !== null && length !== "0";
  if (!hasBody) return next();

  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const formAllowed = type === "application/x-www-form-urlencoded" && FORM_ROUTES.has(c.req.path);
  if (!ACCEPTED_TYPES.includes(type) && !formAllowed) {
    throw new ApiError("VAL004", `Unsupported media type${type ? ` '${type}'` : ""}; send application/json`);
  }
  const maxSize = maxBodyBytes(c);
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("VAL003", `Request body exceeds ${maxSize} bytes`, { details: { maxBytes: maxSize } });
    },
  })(c, next);
};

/** The body size this request may have: MAX_BODY_BYTES, or UPLOAD_MAX_BYTES for a non-JSON body on an upload route. */
export function maxBodyBytes(c: Context<AppEnv>): number {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const path = new URL(c.req.url).pathname;
  const isUpload = type !== "application/json" && LARGE_BODY_ROUTES.some((r) => r.test(path));
  return isUpload ? UPLOAD_MAX_BYTES : Number(c.env.MAX_BODY_BYTES || 1_048_576);
}

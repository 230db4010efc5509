// Guard of the development-only routes (API.md "Development only"): outside development they do not exist.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";
import { usesDevMailbox } from "./mailer";

/** Outside development the routes answer exactly like an unknown route. */
export const devOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!usesDevMailbox(c.env)) {
    throw new ApiError("RES001", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  }
  await next();
};

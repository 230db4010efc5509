// One factory for route modules, so every router turns validation failures into VAL001 the same way.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";
import { zodDetails } from "./error-handler";

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError("VAL001", "Request validation failed", { details: zodDetails(result.error) });
      }
    },
  });
}

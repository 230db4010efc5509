// One factory for route modules, so every router turns validation failures into VAL001 the same way and every
// route gets its access guard (lib/auth withDeclaredAccess: a route that declares no scope refuses API keys).
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ApiError } from "./errors";
import { zodDetails } from "./error-handler";
import { withDeclaredAccess } from "./auth";
import { MemoRouter } from "./memo-router";

export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    // Only the root app's router ever matches (route() copies a module's routes into it); see memo-router.ts.
    router: new MemoRouter(),
    defaultHook: (result) => {
      if (!result.success) {
        throw new ApiError("VAL001", "Request validation failed", { details: zodDetails(result.error) });
      }
    },
  });
  // `openapi` is an own arrow property of each instance, so replacing it here covers every route of this router
  // (and chaining, which returns the same instance). The route's types are unchanged: only middleware is added.
  const register = router.openapi;
  router.openapi = ((route, handler, hook) =>
    register(withDeclaredAccess(route), handler, hook)) as typeof router.openapi;
  return router;
}

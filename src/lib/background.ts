// Work that runs after the response (ctx.waitUntil): failures are logged, never surfaced to the client.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { log } from "./request-context";
import { causesOf } from "./error-handler";

export function runInBackground(c: Context<AppEnv>, label: string, work: () => Promise<unknown>): void {
  const run = work().catch((error: unknown) =>
    log("error", `${label} failed`, { requestId: c.get("requestId"), error: String(error), causes: causesOf(error) }),
  );
  try {
    c.executionCtx.waitUntil(run);
  } catch {
    // No execution context (app.request in a unit test): the promise still runs to completion.
  }
}

// Durable Object RPC with the caller's correlation id: `correlatedStub` sends every method call as one
// `correlated(id, method, args)` RPC, and the object runs the method inside that id, so the events it publishes and
// the lines it logs carry the id of the request that caused them (lib/correlation.ts). Still one round trip per call.
import { currentCorrelationId, withCorrelation } from "../../src/lib/correlation";

/** Methods `correlated` never dispatches to: the runtime's handlers and the dispatcher itself. */
const NOT_RPC = new Set([
  "constructor",
  "fetch",
  "alarm",
  "correlated",
  "webSocketMessage",
  "webSocketClose",
  "webSocketError",
]);

export interface CorrelatedTarget {
  correlated(correlationId: string | null, method: string, args: unknown[]): Promise<unknown>;
}

/**
 * The body of a Durable Object's `correlated` RPC: calls `target[method](...args)` inside `correlationId`.
 * @throws TypeError for a name that is not a public method of the object
 */
export async function runCorrelated(target: object, correlationId: string | null, method: string, args: unknown[]) {
  const fn = (target as Record<string, unknown>)[method];
  if (NOT_RPC.has(method) || method.startsWith("_") || typeof fn !== "function") {
    throw new TypeError(`not an RPC method: ${method}`);
  }
  return withCorrelation(correlationId, () => (fn as (...a: unknown[]) => unknown).apply(target, args));
}

/**
 * Wraps a stub so each `api.method(...args)` becomes `stub.correlated(currentId, "method", args)`. Typed as the
 * object's own API; `then` is left undefined so the proxy is never mistaken for a promise.
 */
export function correlatedStub<Api extends object>(stub: CorrelatedTarget): Api {
  return new Proxy({} as Api, {
    get(_target, prop) {
      if (typeof prop !== "string" || prop === "then") return undefined;
      return (...args: unknown[]) => stub.correlated(currentCorrelationId() ?? null, prop, args);
    },
  });
}

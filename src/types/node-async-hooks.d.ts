// The one Node API the Worker uses (nodejs_compat provides it at run time; lib/correlation.ts). Declared here
// rather than pulling @types/node into the Worker's types, whose globals clash with @cloudflare/workers-types.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, fn: () => R): R;
  }
}

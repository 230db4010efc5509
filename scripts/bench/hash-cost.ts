// One password hash at the Worker's current argon2id parameters, timed in this process with the same WebAssembly
// build and wrapper the Worker bundles (src/lib/argon2.ts): login's target at c=1 is a multiple of it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Argon2Wasm } from "../../src/lib/argon2.ts";

/** Median of `runs` hashes (m=19 MiB, t=2, p=1), ms. */
export function passwordHashMs(runs = 7): number {
  const file = createRequire(import.meta.url).resolve("@phi-ag/argon2/argon2.wasm");
  const argon2 = new Argon2Wasm(new WebAssembly.Module(readFileSync(file)));
  const password = new TextEncoder().encode("bench password 123");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    argon2.argon2id({ password, salt: crypto.getRandomValues(new Uint8Array(16)), m: 19_456, t: 2, p: 1, dkLen: 32 });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

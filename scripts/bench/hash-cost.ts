// One password hash at the Worker's current argon2id parameters, timed in this process with the same
// implementation the Worker bundles: login's target at c=1 is a multiple of it.
import { argon2id } from "@noble/hashes/argon2.js";

/** Median of `runs` hashes, ms. */
export function passwordHashMs(runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    argon2id("bench password 123", crypto.getRandomValues(new Uint8Array(16)), { m: 19_456, t: 2, p: 1, dkLen: 32, maxmem: 2 ** 32 - 1 });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

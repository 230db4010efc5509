import { describe, expect, it } from "vitest";
import { clampDelay, isLastAttempt, MAX_DELIVERY_ATTEMPTS, retryDelaySeconds } from "../../src/jobs/retry-policy";

describe("retry policy", () => {
  it("backs off exponentially from 10 s and caps at the Queues maximum of 12 h", () => {
    expect([1, 2, 3, 4, 5, 6].map(retryDelaySeconds)).toEqual([10, 20, 40, 80, 160, 320]);
    expect(retryDelaySeconds(30)).toBe(43_200);
    expect(retryDelaySeconds(0)).toBe(10);
  });

  it("clamps requested delays (e.g. a Retry-After) to what Queues accepts", () => {
    expect(clampDelay(-5)).toBe(0);
    expect(clampDelay(1.2)).toBe(2);
    expect(clampDelay(100_000)).toBe(43_200);
  });

  it("treats the 7th delivery (max_retries = 6 in wrangler.toml) as the last", async () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(7);
    expect(isLastAttempt(6)).toBe(false);
    expect(isLastAttempt(7)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { parseTemplateData } from "../../src/domain/email-templates";
import {
  DEFAULT_DIGEST,
  DIGEST_LISTED,
  digestEmail,
  digestLines,
  digestSettings,
  reachedDigestThreshold,
  windowStart,
} from "../../src/domain/notification-digest";

describe("email digest rule", () => {
  it("falls back to the defaults for unset columns", () => {
    expect(digestSettings({ digestThreshold: null, digestWindowMinutes: null })).toEqual(DEFAULT_DIGEST);
    expect(digestSettings({ digestThreshold: 0, digestWindowMinutes: 30 })).toEqual({
      threshold: 0,
      windowMinutes: 30,
    });
  });

  it("holds a notice once the threshold was emailed within the window; 0 never holds", () => {
    const s = { threshold: 3, windowMinutes: 10 };
    expect(reachedDigestThreshold(s, 2)).toBe(false);
    expect(reachedDigestThreshold(s, 3)).toBe(true);
    expect(reachedDigestThreshold({ threshold: 0, windowMinutes: 10 }, 1_000)).toBe(false);
  });

  it("starts the window windowMinutes before now", () => {
    expect(windowStart({ threshold: 5, windowMinutes: 10 }, "2026-11-30T07:10:00.000Z")).toBe(
      "2026-11-30T07:00:00.000Z",
    );
  });

  it("lists at most DIGEST_LISTED notices and counts the rest", () => {
    expect(digestLines(["A", "B"])).toEqual(["• A", "• B"]);
    const many = Array.from({ length: DIGEST_LISTED + 3 }, (_, i) => `N${i}`);
    const lines = digestLines(many);
    expect(lines).toHaveLength(DIGEST_LISTED + 1);
    expect(lines.at(-1)).toBe("…and 3 more in your notifications.");
  });

  it("builds a digest email the notice template accepts, however many notices were held", () => {
    for (const held of [1, 2, 16, 17, DIGEST_LISTED + 1, 25, 100]) {
      const titles = Array.from({ length: held }, (_, i) => `Lease ${i}`);
      const email = digestEmail("Ann", titles);
      expect(() => parseTemplateData("notice", email)).not.toThrow();
      expect(email.subject).toBe(`Your Escra digest: ${held} update${held === 1 ? "" : "s"}`);
      expect(email.lines).toContain("• Lease 0");
    }
  });
});

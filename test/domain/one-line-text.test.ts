import { describe, expect, it } from "vitest";
import { oneLineProblem } from "../../src/domain/one-line-text";

describe("one line of text", () => {
  it("refuses line breaks and control characters", () => {
    for (const text of ["a\nb", "a\r", "a\u0085b", "a\u2028b", "tab\there", "del\u007f"]) {
      expect(oneLineProblem(text)).toBe("must be one line without control characters");
    }
  });

  it("refuses every bidirectional embedding, override and isolate (UAX #9)", () => {
    for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(oneLineProblem(`x${String.fromCodePoint(cp)}y`)).toBe(
        "must not contain bidirectional override or isolate characters",
      );
    }
  });

  it("keeps directional marks, right-to-left and other scripts, and emoji-free punctuation", () => {
    for (const text of ["\u200Fليلى", "a\u200Eb", "\u061Cx", "Ünal Çelik", "東京 株式会社", "O'Brien-Smith, Jr."]) {
      expect(oneLineProblem(text)).toBeNull();
    }
  });
});

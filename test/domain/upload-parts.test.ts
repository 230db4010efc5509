// R2's multipart rules, checked per arriving part: the part at fault is named, whatever the arrival order.
import { describe, expect, it } from "vitest";
import { MIN_PART_BYTES, checkIncomingPart, checkPartSet } from "../../src/domain/upload-parts";

const M = MIN_PART_BYTES;
const parts = (...sizes: number[]) => sizes.map((size, i) => ({ partNumber: i + 1, size }));

describe("checkIncomingPart", () => {
  it("issue example: 5 MiB + 1 KiB, 5 MiB, then 100 B is refused naming part 3 and the unequal part 2", () => {
    const problem = checkIncomingPart(parts(M + 1024, M), { partNumber: 3, size: 100 });
    expect(problem?.partNumber).toBe(3);
    expect(problem?.message).toMatch(/part 2/);
  });

  it("accepts equal parts and a smaller last one, in any order", () => {
    expect(checkIncomingPart([], { partNumber: 3, size: 100 })).toBeNull();
    expect(checkIncomingPart([{ partNumber: 3, size: 100 }], { partNumber: 1, size: M })).toBeNull();
    expect(
      checkIncomingPart(
        [
          { partNumber: 1, size: M },
          { partNumber: 3, size: 100 },
        ],
        { partNumber: 2, size: M },
      ),
    ).toBeNull();
    expect(checkIncomingPart(parts(M, M), { partNumber: 2, size: 10 })).toBeNull(); // a resend replaces part 2
  });

  it("refuses a small or unequal non-last part, a larger last part, and bad numbers", () => {
    expect(checkIncomingPart([{ partNumber: 2, size: 10 }], { partNumber: 1, size: M - 1 })?.partNumber).toBe(1);
    expect(checkIncomingPart(parts(M, M, 10), { partNumber: 2, size: M + 1 })?.partNumber).toBe(2);
    expect(checkIncomingPart(parts(M), { partNumber: 2, size: M + 1 })?.message).toMatch(/last part may not be larger/);
    expect(checkIncomingPart([], { partNumber: 0, size: 1 })).not.toBeNull();
    expect(checkIncomingPart([], { partNumber: 10_001, size: 1 })).not.toBeNull();
    expect(checkIncomingPart([], { partNumber: 1, size: 0 })).not.toBeNull();
  });
});

describe("checkPartSet", () => {
  it("names the first part that breaks the rules", () => {
    expect(checkPartSet(parts(M, M, 1))).toBeNull();
    expect(checkPartSet(parts(M + 1024, M, 100))?.partNumber).toBe(2);
    expect(checkPartSet(parts(M, 1, 1))?.partNumber).toBe(2);
  });
});

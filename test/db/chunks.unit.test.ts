// The one chunking rule for D1 statements: under 100 bound parameters and 100 KB each.
import { describe, expect, it } from "vitest";
import { chunkForStatement, MAX_BOUND_PARAMS, MAX_STATEMENT_BYTES } from "../../src/db/chunks";

const items = Array.from({ length: 250 }, (_, i) => `id_${i}`);

describe("chunkForStatement", () => {
  it("keeps every chunk of a 250-item IN-list under 100 parameters, in order, losing nothing", () => {
    const chunks = chunkForStatement(items, { fixed: 1 });
    for (const c of chunks) expect(c.length + 1).toBeLessThanOrEqual(MAX_BOUND_PARAMS);
    expect(chunks.flat()).toEqual(items);
    expect(chunks).toHaveLength(3);
  });

  it("counts every column of a multi-row insert", () => {
    const chunks = chunkForStatement(items, { perItem: 10 });
    expect(Math.max(...chunks.map((c) => c.length))).toBe(9);
    expect(chunks.flat()).toHaveLength(250);
  });

  it("cuts by size when items are large", () => {
    const big = Array.from({ length: 250 }, () => "x".repeat(1_400));
    const chunks = chunkForStatement(big, { perItem: 0, fixed: 4, fixedBytes: 1_000 });
    for (const c of chunks) expect(1_000 + c.length * 1_402).toBeLessThanOrEqual(MAX_STATEMENT_BYTES);
    expect(chunks.flat()).toHaveLength(250);
  });

  it("returns no chunk for no items, and refuses what no split can fit", () => {
    expect(chunkForStatement([])).toEqual([]);
    expect(() => chunkForStatement(items, { fixed: 99 })).toThrow(RangeError);
    expect(() => chunkForStatement(["x".repeat(MAX_STATEMENT_BYTES)])).toThrow(RangeError);
  });
});

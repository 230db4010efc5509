// The pagination helper: query parsing bounds, offset math, and the `pagination` + `links` blocks.
import { describe, expect, it } from "vitest";
import { pageQuery, pageWindow, paginationBlock } from "../../src/lib/pagination";

const URL_BASE = "https://escra.test/api/v1/contracts?status=sent&page=2&perPage=20";

describe("pageQuery", () => {
  it("defaults to page 1 of 20 and coerces query strings", () => {
    expect(pageQuery.parse({})).toEqual({ page: 1, perPage: 20 });
    expect(pageQuery.parse({ page: "3", perPage: "50" })).toEqual({ page: 3, perPage: 50 });
  });

  it("rejects out-of-range or non-integer values", () => {
    for (const bad of [
      { page: "0" },
      { page: "-1" },
      { page: "1.5" },
      { perPage: "0" },
      { perPage: "101" },
      { page: "abc" },
    ]) {
      expect(pageQuery.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(pageQuery.parse({ perPage: "100" }).perPage).toBe(100);
  });
});

describe("pageWindow", () => {
  it("turns page/perPage into limit/offset", () => {
    expect(pageWindow({ page: 1, perPage: 20 })).toEqual({ limit: 20, offset: 0 });
    expect(pageWindow({ page: 4, perPage: 25 })).toEqual({ limit: 25, offset: 75 });
  });
});

describe("paginationBlock", () => {
  it("computes totals and links in the middle of a list, keeping other query parameters", () => {
    const block = paginationBlock(URL_BASE, { page: 2, perPage: 20 }, 45);
    expect(block.pagination).toEqual({ total: 45, page: 2, perPage: 20, totalPages: 3 });
    expect(block.links).toEqual({
      first: "/api/v1/contracts?status=sent&page=1&perPage=20",
      prev: "/api/v1/contracts?status=sent&page=1&perPage=20",
      next: "/api/v1/contracts?status=sent&page=3&perPage=20",
      last: "/api/v1/contracts?status=sent&page=3&perPage=20",
    });
  });

  it("has no prev on the first page and no next on the last", () => {
    const first = paginationBlock(URL_BASE, { page: 1, perPage: 20 }, 40);
    expect(first.links.prev).toBeNull();
    expect(first.links.next).toContain("page=2");
    const last = paginationBlock(URL_BASE, { page: 2, perPage: 20 }, 40);
    expect(last.pagination.totalPages).toBe(2);
    expect(last.links.next).toBeNull();
    expect(last.links.prev).toContain("page=1");
  });

  it("describes an empty list as one empty page", () => {
    const block = paginationBlock(URL_BASE, { page: 1, perPage: 20 }, 0);
    expect(block.pagination).toEqual({ total: 0, page: 1, perPage: 20, totalPages: 1 });
    expect(block.links.prev).toBeNull();
    expect(block.links.next).toBeNull();
    expect(block.links.first).toBe(block.links.last);
  });

  it("points prev at the last real page when asked for a page past the end", () => {
    const block = paginationBlock(URL_BASE, { page: 9, perPage: 20 }, 45);
    expect(block.links.prev).toBe("/api/v1/contracts?status=sent&page=3&perPage=20");
    expect(block.links.next).toBeNull();
  });

  it("counts an exact multiple without an empty trailing page", () => {
    expect(paginationBlock(URL_BASE, { page: 1, perPage: 10 }, 30).pagination.totalPages).toBe(3);
    expect(paginationBlock(URL_BASE, { page: 1, perPage: 10 }, 31).pagination.totalPages).toBe(4);
  });
});

// The app's router: the same matches as Hono's TrieRouter, remembered only for paths without parameters, bounded.
import { TrieRouter } from "hono/router/trie-router";
import { describe, expect, it } from "vitest";
import { MEMO_ROUTER_MAX_ENTRIES, MemoRouter } from "../../src/lib/memo-router";

/** Literal and parameter segments side by side, wildcard middleware, two methods: what RegExpRouter refuses. */
const ROUTES: [string, string, string][] = [
  ["ALL", "*", "context"],
  ["ALL", "/api/v1/*", "authenticate"],
  ["GET", "/api/v1/ping", "ping"],
  ["GET", "/api/v1/users/me", "me"],
  ["GET", "/api/v1/users/:id", "user"],
  ["GET", "/api/v1/contracts/search", "search"],
  ["GET", "/api/v1/contracts/:id", "contract"],
  ["POST", "/api/v1/contracts/:id/send", "send"],
];

function routers() {
  const memo = new MemoRouter<string>();
  const trie = new TrieRouter<string>();
  for (const [method, path, handler] of ROUTES) {
    memo.add(method, path, handler);
    trie.add(method, path, handler);
  }
  return { memo, trie };
}

describe("MemoRouter", () => {
  it("matches exactly like TrieRouter, first call and remembered call alike", () => {
    const { memo, trie } = routers();
    const requests = [
      ["GET", "/api/v1/ping"],
      ["GET", "/api/v1/users/me"],
      ["GET", "/api/v1/users/usr_1"],
      ["GET", "/api/v1/contracts/search"],
      ["GET", "/api/v1/contracts/ctr_1"],
      ["POST", "/api/v1/contracts/ctr_1/send"],
      ["POST", "/api/v1/ping"],
      ["GET", "/nowhere"],
    ] as const;
    for (const [method, path] of requests) {
      const expected = trie.match(method, path);
      expect(memo.match(method, path)).toEqual(expected);
      expect(memo.match(method, path)).toEqual(expected);
    }
  });

  it("remembers parameterless matches and never a match with a parameter", () => {
    const { memo } = routers();
    expect(memo.match("GET", "/api/v1/ping")).toBe(memo.match("GET", "/api/v1/ping"));
    const first = memo.match("GET", "/api/v1/contracts/ctr_1");
    const second = memo.match("GET", "/api/v1/contracts/ctr_1");
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(memo.match("GET", "/api/v1/contracts/ctr_2")[0].at(-1)?.[1]).toEqual({ id: "ctr_2" });
  });

  it("stays bounded when clients send endless distinct paths", () => {
    const { memo } = routers();
    const ping = memo.match("GET", "/api/v1/ping");
    for (let i = 0; i < MEMO_ROUTER_MAX_ENTRIES + 50; i++) memo.match("GET", `/junk/${i}`);
    // The oldest entry (ping) was evicted: a fresh, equal match.
    const again = memo.match("GET", "/api/v1/ping");
    expect(again).not.toBe(ping);
    expect(again).toEqual(ping);
  });

  it("forgets what it remembered when a route is added", () => {
    const { memo } = routers();
    expect(memo.match("GET", "/api/v1/late")[0].map(([handler]) => handler)).toEqual(["context", "authenticate"]);
    memo.add("GET", "/api/v1/late", "late");
    expect(memo.match("GET", "/api/v1/late")[0].map(([handler]) => handler)).toEqual([
      "context",
      "authenticate",
      "late",
    ]);
  });
});

// The one pagination helper: `page`/`perPage` query parsing and the `pagination` + `links` block.
import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { metadata } from "./respond";

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).openapi({ example: 1 }),
  perPage: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function pageWindow({ page, perPage }: PageQuery) {
  return { limit: perPage, offset: (page - 1) * perPage };
}

export function paginationBlock(url: string, { page, perPage }: PageQuery, total: number) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const linkTo = (p: number) => {
    const u = new URL(url);
    u.searchParams.set("page", String(p));
    u.searchParams.set("perPage", String(perPage));
    return `${u.pathname}${u.search}`;
  };
  return {
    pagination: { total, page, perPage, totalPages },
    links: {
      first: linkTo(1),
      prev: page > 1 ? linkTo(Math.min(page - 1, totalPages)) : null,
      next: page < totalPages ? linkTo(page + 1) : null,
      last: linkTo(totalPages),
    },
  };
}

/** A list response: the envelope plus `pagination` and `links`. */
export function paginated<T>(c: Context<AppEnv>, items: T[], query: PageQuery, total: number) {
  return c.json(
    { success: true as const, data: items, ...paginationBlock(c.req.url, query, total), metadata: metadata(c) },
    200,
  );
}

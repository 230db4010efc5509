// GET /search's flow: contract and template hits the principal may see, merged by bm25 into one page.
import type { Principal } from "../../env";
import type { Database } from "../../db/client";
import { contractHits, templateHits, type SearchHit } from "../../db/search-hits";
import { ftsQuery } from "../../domain/search-query";
import { pageWindow } from "../../lib/pagination";

export interface SearchInput {
  q: string;
  type?: "contract" | "template";
  page: number;
  perPage: number;
}

/**
 * @returns the page's hits (best first) and how many match across both sources
 */
export async function searchEverything(
  database: Database,
  principal: Principal,
  input: SearchInput,
): Promise<{ hits: SearchHit[]; total: number }> {
  const query = ftsQuery(input.q);
  if (query === null) return { hits: [], total: 0 };
  // Each source's best `page * perPage` hits are enough to cut the merged page from.
  const need = input.page * input.perPage;
  const empty = { hits: [], total: 0 };
  const [fromContracts, fromTemplates] = await Promise.all([
    input.type === "template" ? empty : contractHits(database, principal, query, need),
    input.type === "contract" ? empty : templateHits(database, principal, query, need),
  ]);
  const merged = [...fromContracts.hits, ...fromTemplates.hits].sort((a, b) => a.score - b.score);
  const { offset, limit } = pageWindow(input);
  return { hits: merged.slice(offset, offset + limit), total: fromContracts.total + fromTemplates.total };
}

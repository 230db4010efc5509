// Ranked full-text hits (FTS5 bm25, lower is better) among the contracts and templates a principal may see.
import { and, count } from "drizzle-orm";
import type { Principal } from "../env";
import type { Database } from "./client";
import { contracts } from "./schema/contracts";
import { templates } from "./schema/templates";
import { visibleContracts } from "./contract-access";
import { ensureStarterTemplates, visibleTemplates } from "./templates";
import {
  contractFtsJoin,
  contractMatch,
  contractRank,
  contractSnippet,
  contractsFts,
  templateFtsJoin,
  templateMatch,
  templateRank,
  templateSnippet,
  templatesFts,
} from "./contracts-search";

export interface SearchHit {
  type: "contract" | "template";
  id: string;
  title: string;
  snippet: string;
  status: string | null;
  updatedAt: string;
  /** bm25; lower is a better match */
  score: number;
}

/** The best `limit` contract hits for an FTS5 `query` (see domain/search-query.ts) and how many match in all. */
export async function contractHits(
  database: Database,
  principal: Principal,
  query: string,
  limit: number,
): Promise<{ hits: SearchHit[]; total: number }> {
  const where = and(await visibleContracts(database, principal), contractMatch(query));
  const [rows, total] = await Promise.all([
    database
      .select({
        id: contracts.id,
        title: contracts.title,
        status: contracts.status,
        updatedAt: contracts.updatedAt,
        snippet: contractSnippet,
        score: contractRank,
      })
      .from(contracts)
      .innerJoin(contractsFts, contractFtsJoin)
      .where(where)
      .orderBy(contractRank)
      .limit(limit)
      .all(),
    database.select({ n: count() }).from(contracts).innerJoin(contractsFts, contractFtsJoin).where(where).get(),
  ]);
  return { hits: rows.map((r) => ({ type: "contract" as const, ...r })), total: total?.n ?? 0 };
}

/** The best `limit` template hits for an FTS5 `query` and how many match in all. */
export async function templateHits(
  database: Database,
  principal: Principal,
  query: string,
  limit: number,
): Promise<{ hits: SearchHit[]; total: number }> {
  await ensureStarterTemplates(database);
  const where = and(visibleTemplates(principal), templateMatch(query));
  const [rows, total] = await Promise.all([
    database
      .select({
        id: templates.id,
        title: templates.name,
        updatedAt: templates.updatedAt,
        snippet: templateSnippet,
        score: templateRank,
      })
      .from(templates)
      .innerJoin(templatesFts, templateFtsJoin)
      .where(where)
      .orderBy(templateRank)
      .limit(limit)
      .all(),
    database.select({ n: count() }).from(templates).innerJoin(templatesFts, templateFtsJoin).where(where).get(),
  ]);
  return { hits: rows.map((r) => ({ type: "template" as const, status: null, ...r })), total: total?.n ?? 0 };
}

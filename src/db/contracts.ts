// Reads of the contracts projection: one contract, or a filtered page of those the caller may see.
import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { contractFtsJoin, contractMatch, contractRank, contractsFts } from "./contracts-search";
import { ftsQuery } from "../domain/search-query";
import type { Database } from "./client";
import { selectInChunks } from "./chunks";
import { contractAttachments, contracts, contractSigners } from "./schema/contracts";
import type { ContractState, ContractStatus } from "../domain/contract-machine";
import { contractView, type ContractView } from "../domain/contract-view";

type ContractRow = typeof contracts.$inferSelect;

export interface ContractFilters {
  status?: ContractStatus;
  type?: string;
  tag?: string;
  category?: string;
  q?: string;
}

async function withChildren(database: Database, rows: ContractRow[]): Promise<ContractView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [signers, attachments] = await Promise.all([
    selectInChunks(ids, (chunk) =>
      database.select().from(contractSigners).where(inArray(contractSigners.contractId, chunk)).all(),
    ),
    selectInChunks(ids, (chunk) =>
      database.select().from(contractAttachments).where(inArray(contractAttachments.contractId, chunk)).all(),
    ).then((rows) => rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt))),
  ]);
  return rows.map((row) => {
    const { valueAmount, valueCurrency, revision: _revision, ...rest } = row;
    const state: Omit<ContractState, "deletedAt" | "shares"> = {
      ...rest,
      value: valueAmount !== null && valueCurrency !== null ? { amount: valueAmount, currency: valueCurrency } : null,
      signers: signers.filter((s) => s.contractId === row.id).map(({ contractId: _c, ...s }) => s),
      attachments: attachments.filter((a) => a.contractId === row.id).map(({ contractId: _c, ...a }) => a),
    };
    return contractView(state);
  });
}

export async function findContract(database: Database, id: string): Promise<ContractView | null> {
  const row = await database.select().from(contracts).where(eq(contracts.id, id)).get();
  if (!row) return null;
  return (await withChildren(database, [row]))[0] ?? null;
}

/** The structured filters; `q` (full text) is applied by listContracts through contracts_fts. */
export function filterClauses(filters: ContractFilters): SQL[] {
  const clauses: SQL[] = [];
  if (filters.status) clauses.push(eq(contracts.status, filters.status));
  if (filters.type) clauses.push(eq(contracts.type, filters.type));
  if (filters.category) clauses.push(eq(contracts.category, filters.category));
  if (filters.tag)
    clauses.push(sql`EXISTS (SELECT 1 FROM json_each(${contracts.tags}) WHERE value = ${filters.tag.toLowerCase()})`);
  return clauses;
}

/**
 * A page of contracts: visibility and filters, plus full text (title, description, body, tags) ranked by bm25
 * when `q` is given, newest first otherwise. A `q` without any word matches nothing.
 */
export async function listContracts(
  database: Database,
  visibility: SQL | undefined,
  filters: ContractFilters,
  window: { limit: number; offset: number },
): Promise<{ items: ContractView[]; total: number }> {
  const structured = and(visibility, ...filterClauses(filters));
  if (filters.q === undefined) {
    const [rows, totalRow] = await Promise.all([
      database
        .select()
        .from(contracts)
        .where(structured)
        .orderBy(desc(contracts.createdAt), desc(contracts.id))
        .limit(window.limit)
        .offset(window.offset)
        .all(),
      database.select({ n: count() }).from(contracts).where(structured).get(),
    ]);
    return { items: await withChildren(database, rows), total: totalRow?.n ?? 0 };
  }
  const query = ftsQuery(filters.q);
  if (query === null) return { items: [], total: 0 };
  const where = and(structured, contractMatch(query));
  const [rows, totalRow] = await Promise.all([
    database
      .select({ contract: contracts })
      .from(contracts)
      .innerJoin(contractsFts, contractFtsJoin)
      .where(where)
      .orderBy(contractRank, desc(contracts.createdAt))
      .limit(window.limit)
      .offset(window.offset)
      .all(),
    database.select({ n: count() }).from(contracts).innerJoin(contractsFts, contractFtsJoin).where(where).get(),
  ]);
  return {
    items: await withChildren(
      database,
      rows.map((r) => r.contract),
    ),
    total: totalRow?.n ?? 0,
  };
}

/** Status of each of `ids` that exists (any number of ids: the IN-list is chunked under D1's limits). */
export function contractStatuses(database: Database, ids: readonly string[]) {
  return selectInChunks(ids, (chunk) =>
    database
      .select({ id: contracts.id, status: contracts.status })
      .from(contracts)
      .where(inArray(contracts.id, chunk))
      .all(),
  );
}

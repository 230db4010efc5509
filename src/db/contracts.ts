// Reads of the contracts projection: one contract, or a filtered page of those the caller may see.
import { and, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { contractFtsJoin, contractMatch, contractRank, contractsFts } from "./contracts-search";
import { ftsQuery } from "../domain/search-query";
import type { Database } from "./client";
import { selectInChunks } from "./chunks";
import { PreparedRead, readBatch } from "./prepared";
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

type SignerRow = typeof contractSigners.$inferSelect;
type AttachmentRow = typeof contractAttachments.$inferSelect;

/** Contract rows with their signers and attachments (any order; attachments are sorted oldest first here). */
function assemble(rows: ContractRow[], signers: SignerRow[], attachments: AttachmentRow[]): ContractView[] {
  attachments.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
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

const contractById = new PreparedRead((database) =>
  database
    .select()
    .from(contracts)
    .where(eq(contracts.id, sql.placeholder("id")))
    .limit(1)
    .prepare(),
);
const signersOfContract = new PreparedRead((database) =>
  database
    .select()
    .from(contractSigners)
    .where(eq(contractSigners.contractId, sql.placeholder("id")))
    .prepare(),
);
const attachmentsOfContract = new PreparedRead((database) =>
  database
    .select()
    .from(contractAttachments)
    .where(eq(contractAttachments.contractId, sql.placeholder("id")))
    .prepare(),
);

/** findContract's three reads bound for a caller's own batch (see contractWithAccess); results go to assembleContract. */
export function contractReads(d1: D1Database, id: string) {
  return [
    contractById.bind(d1, { id }),
    signersOfContract.bind(d1, { id }),
    attachmentsOfContract.bind(d1, { id }),
  ] as const;
}

export function assembleContract(rows: ContractRow[], signers: SignerRow[], attachments: AttachmentRow[]) {
  return assemble(rows, signers, attachments)[0] ?? null;
}

/**
 * One contract with its signers and attachments: one D1 batch (one round trip, one consistent snapshot) of
 * statements prepared once per isolate (db/prepared.ts).
 */
export async function findContract(database: Database, id: string): Promise<ContractView | null> {
  const d1 = database.$client;
  const [rows, signers, attachments] = await readBatch(d1, contractReads(d1, id));
  return assembleContract(rows, signers, attachments);
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
  // Each branch is one D1 batch — one round trip, one snapshot: the page, the total, and the page's signers and
  // attachments (selected by the page as a subquery, so no IN-list of ids grows with perPage).
  if (filters.q === undefined) {
    const newestFirst = [desc(contracts.createdAt), desc(contracts.id)];
    const page = database
      .select({ id: contracts.id })
      .from(contracts)
      .where(structured)
      .orderBy(...newestFirst)
      .limit(window.limit)
      .offset(window.offset);
    const [rows, totalRows, signers, attachments] = await database.batch([
      database
        .select()
        .from(contracts)
        .where(structured)
        .orderBy(...newestFirst)
        .limit(window.limit)
        .offset(window.offset),
      database.select({ n: count() }).from(contracts).where(structured),
      database.select().from(contractSigners).where(inArray(contractSigners.contractId, page)),
      database.select().from(contractAttachments).where(inArray(contractAttachments.contractId, page)),
    ]);
    return { items: assemble(rows, signers, attachments), total: totalRows[0]?.n ?? 0 };
  }
  const query = ftsQuery(filters.q);
  if (query === null) return { items: [], total: 0 };
  const where = and(structured, contractMatch(query));
  const page = database
    .select({ id: contracts.id })
    .from(contracts)
    .innerJoin(contractsFts, contractFtsJoin)
    .where(where)
    .orderBy(contractRank, desc(contracts.createdAt))
    .limit(window.limit)
    .offset(window.offset);
  const [rows, totalRows, signers, attachments] = await database.batch([
    database
      .select({ contract: contracts })
      .from(contracts)
      .innerJoin(contractsFts, contractFtsJoin)
      .where(where)
      .orderBy(contractRank, desc(contracts.createdAt))
      .limit(window.limit)
      .offset(window.offset),
    database.select({ n: count() }).from(contracts).innerJoin(contractsFts, contractFtsJoin).where(where),
    database.select().from(contractSigners).where(inArray(contractSigners.contractId, page)),
    database.select().from(contractAttachments).where(inArray(contractAttachments.contractId, page)),
  ]);
  return {
    items: assemble(
      rows.map((r) => r.contract),
      signers,
      attachments,
    ),
    total: totalRows[0]?.n ?? 0,
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

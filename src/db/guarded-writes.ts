// Caps and invariants decided inside one D1 statement: a write that happens only while its condition holds.
//
// D1 has no interactive transactions, so "count, then insert" lets concurrent requests all pass the count (30
// parallel creates beat a cap of 20). Instead the condition is part of the write itself —
// `INSERT … SELECT … WHERE (SELECT count(*) …) < cap` or `UPDATE/DELETE … WHERE <invariant still holds>` — and
// the caller reads `meta.changes` (or the RETURNING rows) to learn whether it happened. D1 runs one statement at a time,
// so the condition and the write see the same state.
import { getTableColumns, sql, type Column, type SQL } from "drizzle-orm";
import { SQLiteSyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";

const dialect = new SQLiteSyncDialect();

/** A drizzle query or SQL fragment as a D1 statement, so guarded writes and ordinary ones share one D1 batch. */
export function statement(
  database: Database,
  query: SQL | { toSQL(): { sql: string; params: unknown[] } },
): D1PreparedStatement {
  const { sql: text, params } = "toSQL" in query ? query.toSQL() : dialect.sqlToQuery(query);
  return database.$client.prepare(text).bind(...params);
}

/** Runs statements as one D1 batch (atomic: all or nothing) and returns their results in order. */
export function batch(database: Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  return database.$client.batch(statements);
}

/**
 * `INSERT INTO table (columns) SELECT values WHERE condition`, as a D1 statement for `batch` (or `.run()`).
 * @param values the row, keyed like the drizzle table (undefined fields are left to the column default)
 * @param condition any SQL boolean, e.g. `belowCap(…)` or `rowExists(…)`
 * @returns a statement whose D1 result has `meta.changes` 1 when the row was written, 0 when the condition failed
 */
export function insertWhere<T extends SQLiteTable>(
  database: Database,
  table: T,
  values: T["$inferInsert"],
  condition: SQL,
) {
  const columns = getTableColumns(table) as Record<string, Column>;
  const entries = Object.entries(values as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const names = sql.join(
    entries.map(([key]) => {
      const column = columns[key];
      if (!column) throw new Error(`insertWhere: ${key} is not a column`);
      return sql.identifier(column.name);
    }),
    sql`, `,
  );
  const params = sql.join(
    entries.map(([key, value]) => sql.param(value, columns[key]!)),
    sql`, `,
  );
  return statement(database, sql`INSERT INTO ${table} (${names}) SELECT ${params} WHERE ${condition}`);
}

/**
 * True while fewer than `cap` rows of `table` match `where`.
 * @param cap the most rows allowed once the new one is in (so the condition is `count < cap`)
 */
export function belowCap(table: SQLiteTable, where: SQL | undefined, cap: number): SQL {
  return sql`(SELECT count(*) FROM ${table} WHERE ${where ?? sql`1`}) < ${cap}`;
}

/** True while a row of `table` matches `where` (e.g. the row written earlier in the same batch). */
export function rowExists(table: SQLiteTable, where: SQL | undefined): SQL {
  return sql`EXISTS (SELECT 1 FROM ${table} WHERE ${where ?? sql`1`})`;
}

/** Rows changed by a statement run alone or in a batch (D1's `meta.changes`). */
export function changes(result: unknown): number {
  return (result as { meta?: { changes?: number } })?.meta?.changes ?? 0;
}

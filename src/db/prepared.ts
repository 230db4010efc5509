// Hot read queries prepared once per isolate: drizzle still writes their SQL and maps their rows, but builds the
// SQL once per D1 binding instead of on every request.
//
// Building a query (drizzle's select → buildSelectQuery → getSQL, its `is()` entity checks) was ~12–16 % of GET
// /auth/me's and GET /contracts/:id's CPU in the bench profile (README "Performance"). Values go in through
// `sql.placeholder(name)`, so the SQL text is fixed and D1 gets the same statement each time.
import { fillPlaceholders, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { db, type Database } from "./client";

/** What drizzle's `.prepare()` on an async (D1) select gives: the built query and its row mapping. */
interface DrizzlePrepared<R> {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
  all(placeholderValues?: Record<string, unknown>): Promise<R>;
}

/** A statement with its values bound, and how to turn its D1 result into drizzle's rows. */
export interface BoundRead<R> {
  statement: D1PreparedStatement;
  map(result: D1Result): R;
}

export class PreparedRead<R> {
  readonly #build: (database: Database) => DrizzlePrepared<R>;
  readonly #byBinding = new WeakMap<D1Database, { query: DrizzlePrepared<R>; statement: D1PreparedStatement }>();

  /** @param build a drizzle select ending in `.prepare()`, values as `sql.placeholder(name)` */
  constructor(build: (database: Database) => DrizzlePrepared<R>) {
    this.#build = build;
  }

  #prepared(d1: D1Database) {
    let entry = this.#byBinding.get(d1);
    if (!entry) {
      const query = this.#build(db(d1));
      entry = { query, statement: d1.prepare(query.getQuery().sql) };
      this.#byBinding.set(d1, entry);
    }
    return entry;
  }

  /** For `readBatch`: the statement bound to `values` (by placeholder name). */
  bind(d1: D1Database, values: Record<string, unknown>): BoundRead<R> {
    const { query, statement } = this.#prepared(d1);
    return {
      statement: statement.bind(...fillPlaceholders(query.getQuery().params, values)),
      map: (result) => query.mapResult(result, true) as R,
    };
  }

  /** Runs the query alone; rows as drizzle maps them. */
  all(d1: D1Database, values: Record<string, unknown>): Promise<R> {
    return this.#prepared(d1).query.all(values);
  }
}

/** Renders raw `sql` templates the way drizzle's D1 driver does (quoted, `?` parameters). */
const dialect = new SQLiteAsyncDialect();

/**
 * A raw `sql` query (correlated subqueries that a select's field list would render unqualified) prepared once per
 * D1 binding; rows come back as D1 gives them (named by the query's aliases), typed `Row`.
 */
export class PreparedRawRead<Row> {
  readonly #query: { sql: string; params: unknown[] };
  readonly #byBinding = new WeakMap<D1Database, D1PreparedStatement>();

  /** @param query values as `sql.placeholder(name)` */
  constructor(query: SQL) {
    this.#query = dialect.sqlToQuery(query);
  }

  #statement(d1: D1Database, values: Record<string, unknown>): D1PreparedStatement {
    let statement = this.#byBinding.get(d1);
    if (!statement) {
      statement = d1.prepare(this.#query.sql);
      this.#byBinding.set(d1, statement);
    }
    return statement.bind(...fillPlaceholders(this.#query.params, values));
  }

  bind(d1: D1Database, values: Record<string, unknown>): BoundRead<Row[]> {
    return { statement: this.#statement(d1, values), map: (result) => result.results as Row[] };
  }

  async all(d1: D1Database, values: Record<string, unknown>): Promise<Row[]> {
    return (await this.#statement(d1, values).all<Row & Record<string, unknown>>()).results;
  }
}

type Results<T extends readonly BoundRead<unknown>[]> = { [K in keyof T]: T[K] extends BoundRead<infer R> ? R : never };

/** Runs bound reads in one D1 `batch()` (one round trip, one snapshot); results in the same order. */
export async function readBatch<T extends readonly BoundRead<unknown>[]>(
  d1: D1Database,
  reads: T,
): Promise<Results<T>> {
  const results = await d1.batch(reads.map((read) => read.statement));
  return reads.map((read, i) => read.map(results[i] as D1Result)) as Results<T>;
}

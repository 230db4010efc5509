// D1's statement limits, kept in one place: every IN-list and multi-row statement is split here so no statement
// binds 100 or more parameters or grows past 100 KB (Cloudflare D1 docs, "Limits"; PLATFORM-NOTES "Limits").
import { getTableColumns, type Table } from "drizzle-orm";

/** D1 refuses a statement with more than 100 bound parameters; we stay strictly under. */
export const MAX_BOUND_PARAMS = 99;
/** D1 refuses a statement over 100 KB (SQL text plus bound values); the rest is headroom for the SQL text. */
export const MAX_STATEMENT_BYTES = 90_000;

export interface ChunkOptions<T> {
  /** Parameters each item binds (1 for an IN-list entry, the column count for an inserted row). */
  perItem?: number;
  /** Parameters the rest of the statement binds (other WHERE terms, SET values), counted once per chunk. */
  fixed?: number;
  /** Bytes one item adds to the statement; default: its JSON length (a good bound for strings and rows). */
  sizeOf?: (item: T) => number;
  /** Bytes the rest of the statement takes, counted once per chunk. */
  fixedBytes?: number;
}

const utf8 = new TextEncoder();
const jsonBytes = (item: unknown) => utf8.encode(JSON.stringify(item) ?? "null").length;

/**
 * Splits `items` into consecutive chunks each of which fits one D1 statement.
 * @returns chunks in input order; [] for no items
 * @throws RangeError when the fixed part alone, or one item, exceeds a limit (no split can help then)
 */
export function chunkForStatement<T>(items: readonly T[], options: ChunkOptions<T> = {}): T[][] {
  const { perItem = 1, fixed = 0, sizeOf = jsonBytes, fixedBytes = 0 } = options;
  const maxItems = Math.floor((MAX_BOUND_PARAMS - fixed) / perItem);
  if (maxItems < 1 || fixedBytes >= MAX_STATEMENT_BYTES)
    throw new RangeError("the statement's fixed part exceeds D1's limits");
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = fixedBytes;
  for (const item of items) {
    const size = sizeOf(item);
    if (fixedBytes + size > MAX_STATEMENT_BYTES) throw new RangeError("one item exceeds D1's 100 KB statement limit");
    if (current.length === maxItems || bytes + size > MAX_STATEMENT_BYTES) {
      chunks.push(current);
      current = [];
      bytes = fixedBytes;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Runs a read whose IN-list holds `items` once per chunk, one chunk after the other, and concatenates the rows.
 * Order across chunks is chunk order: callers that need a global order sort the result.
 */
export async function selectInChunks<T, R>(
  items: readonly T[],
  run: (chunk: T[]) => Promise<R[]>,
  options: ChunkOptions<T> = {},
): Promise<R[]> {
  const rows: R[] = [];
  for (const chunk of chunkForStatement(items, options)) rows.push(...(await run(chunk)));
  return rows;
}

/**
 * Splits rows for a multi-row INSERT into `table`: each row may bind every column of the table (drizzle binds
 * defaults computed in JS too), so the chunk size is 99 / column count.
 */
export function chunkRows<R>(table: Table, rows: readonly R[], fixed = 0): R[][] {
  return chunkForStatement(rows, { perItem: Object.keys(getTableColumns(table)).length, fixed });
}

// Text search in SQL, the one way queries match a caller's text: LIKE with the caller's `%`, `_` and `\` escaped and
// the escape character declared (SQLite's LIKE has none by default, so an escaped pattern without ESCAPE would look
// for a literal backslash). SQLite's LIKE ignores case for ASCII letters only.
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/** `text` as a LIKE pattern fragment whose characters all match literally (with `ESCAPE '\'`). */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** `column` contains `text` anywhere (ASCII case-insensitive). */
export function containsText(column: SQLWrapper, text: string): SQL {
  return sql`${column} LIKE ${`%${literal(text)}%`} ESCAPE '\\'`;
}

/** `column` starts with `prefix` (ASCII case-insensitive). */
export function startsWithText(column: SQLWrapper, prefix: string): SQL {
  return sql`${column} LIKE ${`${literal(prefix)}%`} ESCAPE '\\'`;
}

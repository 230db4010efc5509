// Full-text search tables (FTS5, created by migration 0009 with their triggers) and the ranked queries over them.
// Declared here, outside schema/, so drizzle-kit does not try to create them as ordinary tables.
import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";
import { sql, type SQL } from "drizzle-orm";
import { contracts } from "./schema/contracts";
import { templates } from "./schema/templates";

export const contractsFts = sqliteTable("contracts_fts", {
  rowid: integer("rowid"),
  title: text("title"),
  description: text("description"),
  body: text("body"),
  tags: text("tags"),
});

export const templatesFts = sqliteTable("templates_fts", {
  rowid: integer("rowid"),
  name: text("name"),
  description: text("description"),
  body: text("body"),
});

/** Column weights: a word in the title counts most, then tags, description, body. Lower bm25 = better. */
export const contractRank = sql<number>`bm25(contracts_fts, 10.0, 3.0, 1.0, 5.0)`;
export const templateRank = sql<number>`bm25(templates_fts, 10.0, 3.0, 1.0)`;

export const contractFtsJoin: SQL = sql`${contractsFts.rowid} = ${contracts}.rowid`;
export const templateFtsJoin: SQL = sql`${templatesFts.rowid} = ${templates}.rowid`;

export const contractMatch = (query: string): SQL => sql`contracts_fts MATCH ${query}`;
export const templateMatch = (query: string): SQL => sql`templates_fts MATCH ${query}`;

/** A short highlighted excerpt of the best-matching column. */
export const contractSnippet = sql<string>`snippet(contracts_fts, -1, '[', ']', '…', 12)`;
export const templateSnippet = sql<string>`snippet(templates_fts, -1, '[', ']', '…', 12)`;

// drizzle over D1, typed with the whole schema.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

function create(d1: D1Database) {
  return drizzle(d1, { schema });
}
export type Database = ReturnType<typeof create>;

/**
 * One drizzle instance per D1 binding object (per isolate): building one walks the whole schema for the relational
 * query config (extractTablesRelationalConfig), which the CPU profile showed as ~17 % of GET /auth/me when done per
 * query. The instance holds no per-request state.
 */
const instances = new WeakMap<D1Database, Database>();

export function db(d1: D1Database): Database {
  let instance = instances.get(d1);
  if (!instance) {
    instance = create(d1);
    instances.set(d1, instance);
  }
  return instance;
}
export { schema };

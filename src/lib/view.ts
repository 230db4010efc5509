// Views derived from their one zod schema: a picker copies exactly the schema's fields (recursing into nested
// objects), and a row picker exactly a D1 table's columns. Adding a field to a view is then an edit of its schema
// (plus the state and the column it comes from), never of a hand-written list of fields.
import { getTableColumns, type Table } from "drizzle-orm";
import type { z } from "zod";

type Picker = (source: Record<string, unknown>) => Record<string, unknown>;

/** A zod type's object shape, looking through nullable/optional wrappers; null for a leaf. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  const def = schema.def as { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> };
  if (def.type === "object") return def.shape ?? null;
  if ((def.type === "nullable" || def.type === "optional") && def.innerType) return objectShape(def.innerType);
  return null;
}

function pickerOf(shape: Record<string, z.ZodType>): Picker {
  const fields = Object.entries(shape).map(([key, type]) => {
    const nested = objectShape(type);
    return { key, nested: nested ? pickerOf(nested) : null };
  });
  return (source) => {
    const out: Record<string, unknown> = {};
    for (const { key, nested } of fields) {
      const value = source[key];
      // A nested view object is picked too, so internal fields of a sub-object (e.g. a payment's provider ids) stay in.
      out[key] =
        nested && value !== null && typeof value === "object" ? nested(value as Record<string, unknown>) : value;
    }
    return out;
  };
}

/**
 * The mapper of a view: `(source) => view` copying the fields `schema` declares, no more (`source` may carry
 * internal fields). Arrays of objects are copied as they are; map them with their own picker first.
 * @param schema a zod object schema (the view's OpenAPI component)
 */
export function viewPicker<S extends z.ZodObject>(schema: S): (source: z.infer<S>) => z.infer<S> {
  const pick = pickerOf(schema.shape as Record<string, z.ZodType>);
  return (source) => pick(source as Record<string, unknown>) as z.infer<S>;
}

/**
 * The mapper of a D1 row: `(source) => row` copying the table's columns (by their TypeScript names), no more.
 * @param table a drizzle table
 */
export function columnPicker<T extends Table>(table: T): (source: T["$inferInsert"]) => T["$inferInsert"] {
  const keys = Object.keys(getTableColumns(table));
  return (source) => {
    const out: Record<string, unknown> = {};
    const from = source as Record<string, unknown>;
    for (const key of keys) if (key in from) out[key] = from[key];
    return out as T["$inferInsert"];
  };
}

// A D1 outage for one test's own rows: writes to a table whose key column holds one of the given values fail, as if
// the table were offline for them, while every other row of the shared database (other test files' rooms, jobs and
// consumers still running in the same workerd) keeps working.
import { env } from "cloudflare:workers";

let seq = 0;

/** A SQL string literal (DDL takes no bound parameters). */
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * Makes D1 refuse every INSERT and UPDATE of `table` whose new `column` value is one of `values`: the statement, and a
 * batch holding it, fail atomically with a D1 error. Triggers, not a renamed table, so nothing else is affected.
 * @returns the function that ends the outage (drops the triggers); call it in `finally`
 */
export async function refuseWrites(table: string, column: string, values: readonly string[]) {
  const name = `test_outage_${++seq}_${crypto.randomUUID().replaceAll("-", "")}`;
  const when = `NEW."${column}" IN (${values.map(literal).join(", ")})`;
  const triggers = ["INSERT", "UPDATE"].map((op) => `${name}_${op.toLowerCase()}`);
  await env.DB.batch(
    ["INSERT", "UPDATE"].map((op, i) =>
      env.DB.prepare(
        `CREATE TRIGGER ${triggers[i]} BEFORE ${op} ON "${table}" FOR EACH ROW WHEN ${when}
         BEGIN SELECT RAISE(ABORT, 'test outage: ${table} is offline for these rows'); END`,
      ),
    ),
  );
  return async () => {
    await env.DB.batch(triggers.map((t) => env.DB.prepare(`DROP TRIGGER IF EXISTS ${t}`)));
  };
}

// Export and erasure are complete by construction: every store that references a user is registered (issue 15.1).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import {
  danglingRegistrations,
  unregisteredUserTables,
  USER_DATA_STORES,
  USER_DATA_TABLES,
} from "../../src/db/user-data-registry";

describe("user-data registry", () => {
  it("registers every D1 table of the migrated schema that references a user", async () => {
    expect(await unregisteredUserTables(env.DB)).toEqual([]);
  });

  it("fails for a new table with a user reference and no registration", async () => {
    await env.DB.exec("CREATE TABLE IF NOT EXISTS probe_user_things (id TEXT PRIMARY KEY, user_id TEXT, note TEXT)");
    try {
      expect(await unregisteredUserTables(env.DB)).toEqual(["probe_user_things(user_id)"]);
    } finally {
      await env.DB.exec("DROP TABLE probe_user_things");
    }
  });

  it("names only export sections and erasure steps that exist, and no table that does not", async () => {
    expect(danglingRegistrations()).toEqual([]);
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{
      name: string;
    }>();
    const tables = new Set(results.map((r) => r.name));
    expect(Object.keys(USER_DATA_TABLES).filter((t) => !tables.has(t))).toEqual([]);
  });

  it("registers every Durable Object namespace", () => {
    const namespaces = Object.entries(env as unknown as Record<string, unknown>)
      // Service bindings answer any property as an RPC method, so the class name is what tells a namespace apart.
      .filter(([, v]) => typeof v === "object" && v !== null && v.constructor?.name === "DurableObjectNamespace")
      .map(([k]) => k)
      .sort();
    expect(namespaces.length).toBeGreaterThan(0);
    expect(namespaces.filter((n) => !(n in USER_DATA_STORES))).toEqual([]);
  });
});

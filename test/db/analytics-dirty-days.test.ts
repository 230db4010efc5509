// The analytics triggers mark the days a write touches; they must never make the write itself fail. The projection
// upserts contracts, and SQLite lets that statement's conflict handling override a trigger's own OR IGNORE: with it,
// the second write of a day (a send on the day of creation) failed and the contract stopped reaching D1.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { call } from "../helpers/http";
import { actor } from "../helpers/contract-fixtures";

it("contracts created and sent on one day all reach D1, and the day is marked once for the rollup", async () => {
  const owner = await actor();
  const ids: string[] = [];
  for (const title of ["First of the day", "Second of the day"]) {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title, type: "services", body: "Terms.", signers: [{ email: "dirty-days@example.com", name: "S" }] },
    });
    expect(created.status).toBe(201);
    ids.push(created.body.data.id);
  }
  const sent = await call("POST", `/api/v1/contracts/${ids[0]}/send`, { token: owner.token, body: {} });
  expect(sent.status).toBe(200);

  // The list is read from D1's projection, written after the room's own transaction.
  let listed: { id: string; status: string }[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await call("GET", "/api/v1/contracts?perPage=100", { token: owner.token });
    listed = res.body.data;
    if (listed.some((c) => c.id === ids[0] && c.status === "pending")) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(Object.fromEntries(listed.map((c) => [c.id, c.status]))).toEqual({ [ids[0]!]: "pending", [ids[1]!]: "draft" });
  const today = new Date().toISOString().slice(0, 10);
  const marked = await env.DB.prepare("SELECT day FROM analytics_dirty WHERE day = ?").bind(today).all();
  expect(marked.results).toHaveLength(1);
});

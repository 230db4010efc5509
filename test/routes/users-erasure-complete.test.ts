// Issue 15.2 "Done when": erase a user who owns contracts, signed others', is in 150 teams, has escrows and
// listings; then no D1 table (every column of every table, FTS index included), no Durable Object's storage and no
// other party's API view holds the old name or email, the audit chains still verify, and the freed address opens nothing.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { verifyChain } from "../../src/domain/audit-chain";
import { contractRoom } from "../../durable-objects/contract-room";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { newId } from "../../src/lib/ids";
import { openEscrow } from "../escrow/helpers";

// Tokens no other test file uses, so a hit can only be this person.
const NAME = "Quillon Zamberwick";
const TEAM_COUNT = 150;

/** Every table and column of the D1 database holding `needle` (case-insensitive), as "table.column". */
async function d1Holding(needle: string): Promise<string[]> {
  const { results: tables } = await env.DB.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'
       AND name <> 'd1_migrations'`,
  ).all<{ name: string }>();
  const hits: string[] = [];
  for (const { name } of tables) {
    const { results: cols } = await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`)
      .bind(name)
      .all<{ name: string }>();
    for (const col of cols) {
      const row = await env.DB.prepare(
        `SELECT COUNT(*) AS n FROM "${name}" WHERE instr(lower(CAST("${col.name}" AS TEXT)), ?) > 0`,
      )
        .bind(needle.toLowerCase())
        .first<{ n: number }>();
      if (row && row.n > 0) hits.push(`${name}.${col.name}`);
    }
  }
  return hits;
}

/** Every table of a Durable Object's SQLite storage holding `needle`, as "table". */
function storageHolding(sql: SqlStorage, needles: string[]): string[] {
  const tables = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
    .toArray();
  const hits: string[] = [];
  for (const { name } of tables) {
    const text = JSON.stringify(sql.exec(`SELECT * FROM "${name}"`).toArray()).toLowerCase();
    for (const needle of needles) if (text.includes(needle.toLowerCase())) hits.push(`${name}: ${needle}`);
  }
  return hits;
}

async function contractWith(owner: TestUser, body: Record<string, unknown>) {
  const res = await call("POST", "/api/v1/contracts", { token: owner.accessToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id as string;
}

describe("DELETE /users/me reaches every copy", () => {
  it("leaves the old name and email nowhere: D1, FTS, rooms, feeds, other parties' views", {
    timeout: 180_000,
  }, async () => {
    const [victim, other] = await Promise.all([createUser({ name: NAME }), createUser({ name: "Olga Other" })]);
    const email = victim.email;

    // Contracts the victim owns: their name in the title/body, another party as signer, and a share to a colleague.
    const owned = await contractWith(victim, {
      title: `NDA of ${NAME}`,
      type: "nda",
      body: `Between ${NAME} (${email}) and Olga Other.`,
      signers: [{ email: other.email, name: "Olga Other", order: 1 }],
    });
    expect(
      (
        await call("POST", `/api/v1/contracts/${owned}/share`, {
          token: victim.accessToken,
          body: { email: other.email, permission: "view" },
        })
      ).status,
    ).toBeLessThan(300);
    // Contracts others own that the victim signed (their name typed as signature), and one only shared with them.
    const signed = await contractWith(other, {
      title: "Consulting agreement",
      type: "services",
      body: `Consultant: ${NAME}, reachable at ${email}.`,
      signers: [{ email, name: NAME, order: 1 }],
    });
    expect(
      (await call("POST", `/api/v1/contracts/${signed}/send`, { token: other.accessToken, body: {} })).status,
    ).toBe(200);
    const sig = await call("POST", `/api/v1/contracts/${signed}/sign`, {
      token: victim.accessToken,
      body: { signature: { type: "typed", value: NAME, font: "caveat" }, consent: true },
    });
    expect(sig.status, JSON.stringify(sig.body)).toBe(200);

    // 150 teams: half the victim's alone (deleted with them), half shared with the other user (who inherits them).
    const now = new Date().toISOString();
    const teamIds = Array.from({ length: TEAM_COUNT }, () => newId("team"));
    const rows = teamIds.flatMap((id, i) => [
      env.DB.prepare(
        "INSERT INTO teams (id, name, description, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).bind(id, `Team ${i}`, null, victim.user.id, now, now),
      env.DB.prepare(
        "INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'owner', ?, ?)",
      ).bind(id, victim.user.id, now, now),
      ...(i % 2 === 0
        ? [
            env.DB.prepare(
              "INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'member', ?, ?)",
            ).bind(id, other.user.id, now, now),
          ]
        : []),
    ]);
    await env.DB.batch(rows);

    // Escrows (the victim buys from the other user; its contract names them both) and a listing of theirs.
    const escrow = await openEscrow(victim, other, { description: `Handover from Olga to ${NAME}` });
    const listing = await call("POST", "/api/v1/listings", {
      token: victim.accessToken,
      body: {
        title: "Newsletter",
        description: "Tech niche",
        category: "newsletters",
        price: { amount: 750_000, currency: "NGN" },
      },
    });
    expect(listing.status, JSON.stringify(listing.body)).toBe(201);

    // Before: the searches find them (the test's needles are real).
    expect((await d1Holding(NAME)).length).toBeGreaterThan(0);

    const erased = await call("DELETE", "/api/v1/users/me", {
      token: victim.accessToken,
      body: { password: victim.password },
    });
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);

    // Every D1 table, every column (the FTS tables and their shadow tables included).
    expect(await d1Holding(NAME)).toEqual([]);
    expect(await d1Holding(email)).toEqual([]);
    expect(await d1Holding("Zamberwick")).toEqual([]);
    const fts = await env.DB.prepare("SELECT COUNT(*) AS n FROM contracts_fts WHERE contracts_fts MATCH ?")
      .bind("Zamberwick")
      .first<{ n: number }>();
    expect(fts?.n).toBe(0);

    // The rooms' whole storage (state, versions, audit trail and disclosures, live events, outbox) and their chains.
    const needles = [NAME, email, "Zamberwick"];
    const contractIds = [owned, signed, escrow.contractId as string];
    for (const id of contractIds) {
      const stub = env.CONTRACT_ROOM.get(env.CONTRACT_ROOM.idFromName(id));
      expect(await runInDurableObject(stub, (_i, state) => storageHolding(state.storage.sql, needles)), id).toEqual([]);
      const trail = await contractRoom(env, id).auditTrail();
      expect(verifyChain(trail).valid, id).toBe(true);
    }
    const escrowStub = env.ESCROW_ROOM.get(env.ESCROW_ROOM.idFromName(escrow.id));
    expect(await runInDurableObject(escrowStub, (_i, state) => storageHolding(state.storage.sql, needles))).toEqual([]);
    expect(verifyChain(await escrowRoom(env, escrow.id).auditTrail()).valid).toBe(true);
    const feed = env.USER_FEED.get(env.USER_FEED.idFromName(victim.user.id));
    expect(await runInDurableObject(feed, (_i, state) => storageHolding(state.storage.sql, needles))).toEqual([]);
    const listingStub = env.LISTING_ROOM.get(env.LISTING_ROOM.idFromName(listing.body.data.id));
    expect(await runInDurableObject(listingStub, (_i, state) => storageHolding(state.storage.sql, needles))).toEqual(
      [],
    );

    // What the other party sees through the API.
    for (const path of [
      `/api/v1/contracts/${owned}`,
      `/api/v1/contracts/${owned}/audit`,
      `/api/v1/contracts/${signed}`,
      `/api/v1/contracts/${signed}/audit`,
      `/api/v1/contracts/${signed}/versions`,
      `/api/v1/contracts?q=Zamberwick`,
      `/api/v1/escrows/${escrow.id}`,
      `/api/v1/escrows/${escrow.id}/events`,
      `/api/v1/teams`,
    ]) {
      const seen = await call("GET", path, { token: other.accessToken });
      expect(seen.status, `${path} ${JSON.stringify(seen.body).slice(0, 200)}`).toBe(200);
      // `data` only: the search's own links echo the query.
      for (const needle of needles)
        expect(JSON.stringify(seen.body.data).toLowerCase(), `${path}: ${needle}`).not.toContain(needle.toLowerCase());
    }
    // The other member now owns the shared teams; the victim's own teams are gone.
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM team_members WHERE user_id = ?")
      .bind(victim.user.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const inherited = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM team_members WHERE user_id = ? AND role = 'owner'",
    )
      .bind(other.user.id)
      .first<{ n: number }>();
    expect(inherited?.n).toBe(TEAM_COUNT / 2);

    // The freed address registered again opens none of it.
    const successor = await createUser({ email });
    for (const path of [`/api/v1/contracts/${owned}`, `/api/v1/contracts/${signed}`, `/api/v1/escrows/${escrow.id}`]) {
      const opened = await call("GET", path, { token: successor.accessToken });
      expect(opened.status, path).toBe(404);
      expect(opened.body.error.code).toBe("RES001");
    }
    const listed = await call("GET", "/api/v1/contracts", { token: successor.accessToken });
    expect(listed.body.data).toEqual([]);
  });
});

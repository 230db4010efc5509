// No statement exceeds D1's limits: every path that binds a list is driven with 250 items (issue 15.3).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { inArray } from "drizzle-orm";
import { db } from "../../src/db/client";
import { users } from "../../src/db/schema/identity";
import { webhookAttempts, webhookDeliveries } from "../../src/db/schema/webhooks";
import { insertAnchorRecords, storeProofsAndMarkSent } from "../../src/db/anchors";
import { contractStatuses } from "../../src/db/contracts";
import { deliveriesOfEndpoint, newDeliveryRow } from "../../src/db/webhooks";
import { replaceRecoveryCodesStatements } from "../../src/db/mfa";
import { causesOf } from "../../src/lib/error-handler";
import { verifiedUserIdsByEmails } from "../../src/db/users";

const MANY = 250;

/** Test setup only: 250 teams written one row per statement, each with `owner` as owner and `other` as member. */
async function seedTeams(ownerId: string, otherId: string, count: number) {
  const at = new Date().toISOString();
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `team_limits_${ownerId}_${i}`;
    statements.push(
      env.DB.prepare("INSERT INTO teams (id, name, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").bind(
        id,
        `T${i}`,
        ownerId,
        at,
        at,
      ),
      env.DB.prepare(
        "INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'owner', ?, ?)",
      ).bind(id, ownerId, at, at),
      env.DB.prepare(
        "INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'member', ?, ?)",
      ).bind(id, otherId, at, at),
    );
  }
  await env.DB.batch(statements);
}

describe("DELETE /users/me for a member of many teams", () => {
  it("erases a member of 250 teams (issue 15 example: 100+ teams answered 500 SYS001)", async () => {
    const [member, colleague] = await Promise.all([createUser(), createUser()]);
    await seedTeams(member.user.id, colleague.user.id, MANY);

    const res = await call("DELETE", "/api/v1/users/me", {
      token: member.accessToken,
      body: { password: member.password },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: member.user.id, deleted: true });

    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM team_members WHERE user_id = ?")
      .bind(member.user.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    // Every team keeps an owner: the remaining member inherits it.
    const owned = await env.DB.prepare("SELECT COUNT(*) AS n FROM team_members WHERE user_id = ? AND role = 'owner'")
      .bind(colleague.user.id)
      .first<{ n: number }>();
    expect(owned?.n).toBe(MANY);
    const login = await call("GET", "/api/v1/users/me", { token: member.accessToken });
    expect(login.status).toBe(401);
  });
});

const hex32 = (i: number) => `0x${i.toString(16).padStart(64, "0")}` as `0x${string}`;

describe("every list-binding statement stays under D1's limits with 250 items", () => {
  it("a statement over 100 parameters fails with D1's own reason, which the error log carries", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `usr_nope_${i}`);
    const error = await db(env.DB)
      .select()
      .from(users)
      .where(inArray(users.id, ids))
      .all()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect(causesOf(error).join(" ")).toMatch(/too many SQL variables/i);
  });

  it("anchors: records for 250 networks are queued and read back; 250 proofs of ~1.4 KB are stored", async () => {
    const contractId = `ctr_limits_${crypto.randomUUID()}`;
    const networks = Array.from({ length: MANY }, (_, i) => ({
      name: `net${i}`,
      chainId: 900_000 + i,
      id: `anc_l_${crypto.randomUUID()}`,
    }));
    const now = new Date().toISOString();
    const rows = await insertAnchorRecords(env.DB, { kind: "document", hash: hex32(1), contractId }, networks, now);
    expect(rows).toHaveLength(MANY);
    expect(rows.map((r) => r.chainId)).toEqual(networks.map((n) => n.chainId));

    // 250 distinct hashes in one batch, each with a proof the size of a 100k-leaf tree's.
    const batchId = `anb_limits_${crypto.randomUUID()}`;
    await env.DB.prepare(
      `INSERT INTO anchor_batches (id, network, chain_id, status, from_address, to_address, nonce, gas_limit, created_at, updated_at)
       VALUES (?, 'net', 777, 'building', '0x0', '0x0', 0, '0', ?, ?)`,
    )
      .bind(batchId, now, now)
      .run();
    for (let i = 0; i < MANY; i += 1) {
      await insertAnchorRecords(
        env.DB,
        { kind: "document", hash: hex32(10_000 + i), contractId },
        [{ name: "net", chainId: 777, id: `anc_p_${crypto.randomUUID()}` }],
        now,
      );
    }
    await env.DB.prepare("UPDATE anchor_records SET batch_id = ? WHERE contract_id = ? AND chain_id = 777")
      .bind(batchId, contractId)
      .run();
    const proof = Array.from({ length: 17 }, (_, i) => hex32(i));
    const entries = Array.from({ length: MANY }, (_, i) => ({
      hash: hex32(10_000 + i),
      leaf: hex32(20_000 + i),
      proof,
    }));
    await storeProofsAndMarkSent(env.DB, batchId, entries, {
      root: hex32(3),
      size: MANY,
      recordCount: MANY,
      txHash: hex32(4),
      maxFeePerGas: "1",
      maxPriorityFeePerGas: null,
      sentAt: now,
    });
    const stored = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM anchor_records WHERE batch_id = ? AND proof IS NOT NULL",
    )
      .bind(batchId)
      .first<{ n: number }>();
    expect(stored?.n).toBe(MANY);
  });

  it("webhook deliveries: a page of 250 deliveries reads all their attempts", async () => {
    const endpointId = `whe_limits_${crypto.randomUUID()}`;
    const now = new Date().toISOString();
    const deliveries = Array.from({ length: MANY }, (_, i) =>
      newDeliveryRow({ endpointId, eventId: `evt_l_${i}`, eventType: "contract.created", payload: "{}" }, now),
    );
    const database = db(env.DB);
    const [first, ...rest] = deliveries.flatMap((d) => [
      database.insert(webhookDeliveries).values(d),
      database.insert(webhookAttempts).values({ deliveryId: d.id, attempt: 1, at: now, statusCode: 200, latencyMs: 5 }),
    ]);
    await database.batch([first!, ...rest]);
    const page = await deliveriesOfEndpoint(database, endpointId, MANY, 0);
    expect(page.rows).toHaveLength(MANY);
    expect(page.attempts).toHaveLength(MANY);
  });

  it("contracts: statuses of 250 ids (the public verify path) are read in chunks", async () => {
    const ids = Array.from({ length: MANY }, (_, i) => `ctr_unknown_${i}`);
    expect(await contractStatuses(db(env.DB), ids)).toEqual([]);
  });

  it("signers: the verified accounts of 250 signer addresses are all found (not the first 90)", async () => {
    const at = new Date().toISOString();
    const tag = crypto.randomUUID().slice(0, 8);
    const emails = Array.from({ length: MANY }, (_, i) => `signer-${tag}-${i}@example.com`);
    await db(env.DB).batch(
      emails.map((email, i) =>
        db(env.DB)
          .insert(users)
          .values({
            id: `usr_lim${tag}${String(i).padStart(5, "0")}`,
            email,
            name: "S",
            passwordHash: "x",
            emailVerifiedAt: at,
            createdAt: at,
            updatedAt: at,
          }),
      ) as [never, ...never[]],
    );
    expect((await verifiedUserIdsByEmails(env.DB, emails)).length).toBe(MANY);
  });

  it("MFA recovery codes: 250 rows are inserted in chunks", async () => {
    const owner = await createUser();
    const hashes = Array.from({ length: MANY }, (_, i) => `hash_${i}`);
    const [first, ...rest] = replaceRecoveryCodesStatements(env.DB, owner.user.id, hashes, new Date());
    await db(env.DB).batch([first, ...rest]);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE user_id = ?")
      .bind(owner.user.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(MANY);
  });
});

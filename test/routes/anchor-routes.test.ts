// The anchoring API as a client sees it: a contract's records and proofs, public verification by hash or file
// (checked live on Anvil), and the admin batch endpoints.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { call } from "../helpers/http";
import { ANVIL_CHAIN_IDS } from "../helpers/anvil-chains";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { ANVIL_KEYS, chainEnv, mine, rpc } from "../helpers/anchor-chain";
import { enqueueAnchor } from "../../src/lib/anchoring";
import { anchorBatch } from "../../src/cron/anchor-batch";
import { anchorConfirm } from "../../src/cron/anchor-confirm";
import { VERIFY_LIMIT_PER_MINUTE } from "../../src/routes/verify";

// This file's own anchoring account, so its nonces never race the chain tests' account.
const chain = () => chainEnv({ ANCHOR_PRIVATE_KEY: ANVIL_KEYS.eight });
const sha = (bytes: Uint8Array) => `0x${bytesToHex(sha256(bytes))}`;

/**
 * POST /verify as this file's anonymous client: an address of its own, since the verify limit counts per caller and
 * every test file in the same workerd would otherwise be the one caller "unknown".
 */
const verify = (options: Parameters<typeof call>[2] = {}) =>
  call("POST", "/api/v1/verify", { ...options, headers: { "cf-connecting-ip": "198.51.100.61", ...options.headers } });

const pdf = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const documentHash = sha(pdf);
const executionHash = sha(new TextEncoder().encode("execution of the test contract"));

let owner: Actor;
let stranger: Actor;
let admin: Actor;
let contractId: string;
/** The batch that anchored this file's first two records (admin list test). */
let firstBatchId: string;

/** Records pending on the shared chain. */
const pendingOnChain = async () =>
  (await env.DB.prepare("SELECT count(*) AS n FROM anchor_records WHERE chain_id = ? AND status = 'pending'")
    .bind(ANVIL_CHAIN_IDS.shared)
    .first<{ n: number }>())!.n;

/**
 * Takes every record already pending on the shared chain (earlier files' work) into a batch, so the next batch holds
 * only what this file queues after it; repeated until half a second passes with nothing new pending, since earlier
 * files' queue jobs (an execution record made after the contract's PDF is sealed) may still be adding some.
 */
async function settlePending() {
  for (let round = 0; round < 20; round++) {
    await anchorBatch(chain(), new Date());
    await new Promise((r) => setTimeout(r, 500));
    if ((await pendingOnChain()) === 0) return;
  }
  throw new Error("earlier files kept queueing anchor records");
}

beforeAll(async () => {
  [owner, stranger, admin] = await Promise.all([actor(), actor(), actor({ role: "admin" })]);
  const created = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: {
      title: "Anchored deal",
      type: "services",
      body: "Terms.",
      signers: [{ email: "client@example.com", name: "Client", role: "signer", order: 1 }],
    },
  });
  expect(created.status).toBe(201);
  contractId = created.body.data.id;
  await settlePending();
});

describe("GET /contracts/:id/anchor", () => {
  it("shows pending records without proof, then anchored and confirmed ones with an OpenZeppelin proof", async () => {
    await enqueueAnchor(env, { kind: "document", hash: documentHash, contractId });
    await enqueueAnchor(env, { kind: "execution", hash: executionHash, contractId });

    let res = await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body.data.records).toHaveLength(2);
    expect(res.body.data.records[0]).toMatchObject({
      kind: "document",
      hash: documentHash,
      status: "pending",
      proof: null,
      txHash: null,
      network: { name: "anvil", chainId: 31337 },
    });

    const [outcome] = await anchorBatch(chain(), new Date());
    expect(outcome?.batch?.status).toBe("mined");
    firstBatchId = outcome!.batch!.id;
    await mine(1);
    await anchorConfirm(chain(), new Date());

    res = await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: owner.token });
    const records = res.body.data.records as any[];
    expect(records.map((r) => r.status)).toEqual(["confirmed", "confirmed"]);
    for (const r of records) {
      expect(r.txHash).toBe(outcome!.batch!.txHash);
      expect(r.confirmations).toBeGreaterThanOrEqual(2);
      expect(StandardMerkleTree.verify(r.proof.root, ["bytes32"], [r.hash], r.proof.path)).toBe(true);
      expect((await rpc("eth_getTransactionByHash", [r.txHash])).input).toBe(r.proof.root);
    }
  });

  it("tells the owner through the event pipeline (anchor.anchored / anchor.confirmed naming their contract)", async () => {
    const deadline = Date.now() + 10_000;
    let rows: { type: string; data: string }[] = [];
    while (Date.now() < deadline) {
      ({ results: rows } = await env.DB.prepare(
        "SELECT type, data FROM notifications WHERE user_id = ? AND type LIKE 'anchor.%' ORDER BY type",
      )
        .bind(owner.userId)
        .all<{ type: string; data: string }>());
      if (rows.length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rows.map((r) => r.type)).toEqual(["anchor.anchored", "anchor.confirmed"]);
    for (const r of rows) expect(JSON.parse(r.data).contractIds).toEqual([contractId]);
    const strangers = await env.DB.prepare(
      "SELECT count(*) AS n FROM notifications WHERE user_id = ? AND type LIKE 'anchor.%'",
    )
      .bind(stranger.userId)
      .first<{ n: number }>();
    expect(strangers!.n).toBe(0);
  });

  it("is visible to an admin, hidden from strangers (RES001) and anonymous callers (AUTH004), and validates the id", async () => {
    expect((await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: admin.token })).status).toBe(200);
    const hidden = await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: stranger.token });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error?.code).toBe("RES001");
    expect((await call("GET", `/api/v1/contracts/${contractId}/anchor`)).body.error?.code).toBe("AUTH004");
    const bad = await call("GET", "/api/v1/contracts/nope/anchor", { token: owner.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("VAL001");
  });
});

describe("POST /verify", () => {
  it("reports a known, anchored hash as verified on chain, with its contract and records", async () => {
    const res = await verify({ body: { hash: documentHash.slice(2).toUpperCase() } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      hash: documentHash,
      known: true,
      contracts: [{ id: contractId, status: "draft" }],
      onChain: { verified: true },
    });
    expect(res.body.data.records).toHaveLength(1);
    expect(res.body.data.onChain.checks[0]).toMatchObject({ verified: true, network: { chainId: 31337 } });
    expect(Date.parse(res.body.data.onChain.checkedAt)).not.toBeNaN();
  });

  it("takes the file itself as multipart `file`; one byte changed makes it unknown", async () => {
    const form = new FormData();
    form.append("file", new File([pdf], "contract.pdf", { type: "application/pdf" }));
    const res = await verify({ raw: form });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ hash: documentHash, known: true, onChain: { verified: true } });

    const altered = pdf.slice();
    altered[10] = altered[10]! ^ 1;
    const other = new FormData();
    other.append("file", new File([altered], "contract.pdf", { type: "application/pdf" }));
    const res2 = await verify({ raw: other });
    expect(res2.body.data).toMatchObject({
      hash: sha(altered),
      known: false,
      contracts: [],
      records: [],
      onChain: { verified: false },
    });
  });

  it("is not verified while the transaction lacks confirmations", async () => {
    const fresh = sha(new TextEncoder().encode(`fresh-${Date.now()}`));
    await enqueueAnchor(env, { kind: "document", hash: fresh, contractId });
    await anchorBatch(chain(), new Date());
    const res = await verify({ body: { hash: fresh } });
    expect(res.body.data.known).toBe(true);
    expect(res.body.data.onChain.verified).toBe(false);
    expect(res.body.data.onChain.checks[0].reason).toBe("1 of 2 confirmations");
    await mine(1);
    expect((await verify({ body: { hash: fresh } })).body.data.onChain.verified).toBe(true);
  });

  it("answers an unknown hash as unknown", async () => {
    const res = await verify({ body: { hash: `0x${"00".repeat(32)}` } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      known: false,
      contracts: [],
      records: [],
      onChain: { verified: false, checks: [] },
    });
  });

  it("rejects a malformed hash, an empty body and other media types", async () => {
    const bad = await verify({ body: { hash: "abc" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("VAL001");
    expect((await verify()).body.error?.code).toBe("VAL001");
    expect((await verify({ body: {} })).body.error?.code).toBe("VAL001");
    const text = await verify({ raw: "hash", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect(text.body.error?.code).toBe("VAL004");
  });

  it(`allows ${VERIFY_LIMIT_PER_MINUTE} requests a minute per caller, then RATE001`, async () => {
    const headers = { "cf-connecting-ip": "203.0.113.77" };
    const body = { hash: `0x${"11".repeat(32)}` };
    for (let i = 0; i < VERIFY_LIMIT_PER_MINUTE; i++) {
      expect((await call("POST", "/api/v1/verify", { body, headers })).status).toBe(200);
    }
    const limited = await call("POST", "/api/v1/verify", { body, headers });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe("RATE001");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("admin anchoring endpoints", () => {
  it("list batches with status and cost = gasUsed × effectiveGasPrice (wei)", async () => {
    const res = await call("GET", "/api/v1/admin/anchors/batches", { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.pagination.total).toBeGreaterThanOrEqual(2);
    // This file's first batch, now confirmed (the list also holds earlier files' batches).
    const mined = (res.body.data as any[]).find((b) => b.id === firstBatchId);
    expect(mined?.status).toBe("confirmed");
    const receipt = await rpc("eth_getTransactionReceipt", [mined.txHash]);
    expect(mined.cost).toBe((BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice)).toString());
    expect(mined).toMatchObject({ network: { name: "anvil", chainId: 31337 }, recordCount: 2, size: 2 });

    const confirmedOnly = await call("GET", "/api/v1/admin/anchors/batches?status=confirmed", { token: admin.token });
    expect(confirmedOnly.body.data.length).toBeGreaterThan(0);
    expect((confirmedOnly.body.data as any[]).every((b) => b.status === "confirmed")).toBe(true);
    expect(
      (await call("GET", "/api/v1/admin/anchors/batches?status=nope", { token: admin.token })).body.error?.code,
    ).toBe("VAL001");
  });

  it("trigger a batch now", async () => {
    await settlePending();
    const hash = sha(new TextEncoder().encode(`trigger-${Date.now()}`));
    await enqueueAnchor(env, { kind: "document", hash, contractId });
    const res = await call("POST", "/api/v1/admin/anchors/batches", { token: admin.token });
    expect(res.status).toBe(200);
    const [outcome] = res.body.data.outcomes;
    expect(outcome.network).toEqual({ name: "anvil", chainId: 31337 });
    expect(outcome.batch).toMatchObject({ recordCount: 1, size: 1 });
    expect(["sent", "mined"]).toContain(outcome.batch.status);
    const audit = await env.DB.prepare(
      "SELECT actor_id FROM audit_logs WHERE action = 'anchor.batch_triggered' AND resource_id = ?",
    )
      .bind(outcome.batch.id)
      .first<{ actor_id: string }>();
    expect(audit?.actor_id).toBe(admin.userId);

    const again = await call("POST", "/api/v1/admin/anchors/batches", { token: admin.token });
    expect(again.body.data.outcomes[0]).toMatchObject({ batch: null, skipped: "nothing_pending" });
  });

  it("issue 14.6: the trigger settles open batches, and /anchor and /verify report the same confirmations", async () => {
    const hash = sha(new TextEncoder().encode(`settle-${Date.now()}`));
    await enqueueAnchor(env, { kind: "document", hash, contractId });
    const [outcome] = await anchorBatch(chain(), new Date());
    expect(outcome?.batch?.status).toBe("mined");
    await mine(1);

    const res = await call("POST", "/api/v1/admin/anchors/batches", { token: admin.token });
    expect(res.status).toBe(200);
    const stored = await env.DB.prepare("SELECT status, confirmations FROM anchor_records WHERE hash = ?")
      .bind(hash)
      .first();
    expect(stored).toEqual({ status: "confirmed", confirmations: 2 });

    const same = async () => {
      const anchor = (
        await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: owner.token })
      ).body.data.records.find((r: any) => r.hash === hash);
      const verified = (await verify({ body: { hash } })).body.data;
      expect(anchor.confirmations).toBe(verified.records[0].confirmations);
      expect(anchor.confirmations).toBe(verified.onChain.checks[0].confirmations);
      expect(anchor.status).toBe(verified.records[0].status);
      return anchor;
    };
    expect(await same()).toMatchObject({ status: "confirmed", confirmations: 2 });
    // Past the threshold the batch is closed, yet both keep counting from the chain's head.
    await mine(3);
    expect(await same()).toMatchObject({ status: "confirmed", confirmations: 5 });
  });

  it("refuse non-admins (AUTH003) and anonymous callers (AUTH004)", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/admin/anchors/batches"],
      ["POST", "/api/v1/admin/anchors/batches"],
    ] as const) {
      const user = await call(method, path, { token: owner.token });
      expect(user.status, `${method} ${path}`).toBe(403);
      expect(user.body.error?.code).toBe("AUTH003");
      expect((await call(method, path)).body.error?.code).toBe("AUTH004");
    }
    const batches = await env.DB.prepare("SELECT count(*) AS n FROM anchor_batches").first<{ n: number }>();
    expect((await call("POST", "/api/v1/admin/anchors/batches", { token: stranger.token })).status).toBe(403);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM anchor_batches").first<{ n: number }>())!.n).toBe(
      batches!.n,
    );
  });
});

// End to end, as a client sees it: two accounts sign a contract, the frozen PDF and the execution record (which commits
// to the executed PDF) are anchored by the */5 cron on the real Anvil, and POST /verify with either PDF proves it on
// chain — the executed one through its execution record — while the same PDF with one byte changed is unknown.
import { beforeAll, describe, expect, it } from "vitest";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { createPublicClient, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { waitForEmail } from "../helpers/mailbox";
import { executedWithRecord } from "../helpers/executed-document";
import { ANVIL_KEYS, chainEnv, mine, rpcUrl } from "../helpers/anchor-chain";
import { runScheduled } from "../../src/cron";
import { executionHash as executionHashOf } from "../../src/domain/execution-hash";

// This file's own anchoring account (dev #6): its nonces never race the other anchoring test files' accounts.
const chain = () => chainEnv({ ANCHOR_PRIVATE_KEY: ANVIL_KEYS.six });
const ANCHOR_ADDRESS = privateKeyToAccount(ANVIL_KEYS.six).address;

const sha256 = async (bytes: Uint8Array) =>
  `0x${[...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
const strip0x = (hex: string) => hex.toLowerCase().replace(/^0x/, "");

/** The anchoring cron exactly as the Worker's scheduled handler runs it (confirm pass, then batch pass). */
async function runAnchorCron() {
  await runScheduled(
    createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }),
    chain(),
    createExecutionContext(),
  );
}

/**
 * POST /verify as an anonymous client with an address of its own: the verify limit counts per caller, and every test
 * file in the same workerd would otherwise be the one caller "unknown".
 */
function verifyFile(bytes: Uint8Array) {
  const form = new FormData();
  form.append("file", new File([bytes], "contract.pdf", { type: "application/pdf" }));
  return call("POST", "/api/v1/verify", { raw: form, headers: { "cf-connecting-ip": "198.51.100.62" } });
}

const typed = (name: string) => ({ signature: { type: "typed", value: name, font: "caveat" }, consent: true });

let owner: Actor;
let alice: Actor;
let bob: Actor;
let contractId: string;
let documentHash: string;
let pdf: Uint8Array;
let executedPdf: Uint8Array;

beforeAll(async () => {
  [owner, alice, bob] = await Promise.all([actor(), actor(), actor()]);
});

describe("sign → anchor → verify, through the public API", () => {
  it("two signers sign the sent contract and it becomes active", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Consulting agreement",
        type: "services",
        body: "Alice consults for Bob. Bob pays on delivery.",
        signers: [
          { email: alice.email, name: "Alice", order: 1 },
          { email: bob.email, name: "Bob", order: 1 },
        ],
      },
    });
    expect(created.status).toBe(201);
    contractId = created.body.data.id;

    const sent = await call("POST", `/api/v1/contracts/${contractId}/send`, { token: owner.token, body: {} });
    expect(sent.status).toBe(200);
    expect(sent.body.data.status).toBe("pending");
    documentHash = sent.body.data.documentHash;
    expect(strip0x(documentHash)).toMatch(/^[0-9a-f]{64}$/);

    await Promise.all([
      waitForEmail({ to: alice.email, subject: "asks you to sign" }),
      waitForEmail({ to: bob.email, subject: "asks you to sign" }),
    ]);
    const first = await call("POST", `/api/v1/contracts/${contractId}/sign`, {
      token: alice.token,
      body: typed("Alice Example"),
    });
    expect(first.status).toBe(200);
    expect(first.body.data.status).toBe("pending");
    const second = await call("POST", `/api/v1/contracts/${contractId}/sign`, {
      token: bob.token,
      body: typed("Bob Example"),
    });
    expect(second.status).toBe(200);
    expect(second.body.data.status).toBe("active");
    expect((await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data.status).toBe(
      "active",
    );
  });

  it("serves the frozen PDF whose SHA-256 is the documentHash", async () => {
    const res = await fetchWorker(`/api/v1/contracts/${contractId}/document`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/pdf");
    pdf = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe("%PDF-");
    expect(strip0x(await sha256(pdf))).toBe(strip0x(documentHash));
  });

  it("queues the document and execution records, which the cron anchors and confirms with valid proofs", async () => {
    // The executed PDF is rendered by a queue job after activation, or on first request; its execution record is made
    // once its seal is final (polled for: a slow TSA delays it), so then both records exist whoever rendered it.
    const executed = await executedWithRecord(contractId, { token: owner.token });
    expect(executed.seal).toBe("timestamped");
    executedPdf = executed.pdf;
    const executedHash = await sha256(executedPdf);
    expect(`0x${executed.sha256}`).toBe(executedHash);

    const before = await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: owner.token });
    expect(before.status).toBe(200);
    const pending = before.body.data.records as any[];
    expect(pending.map((r) => [r.kind, r.status]).sort()).toEqual([
      ["document", "pending"],
      ["execution", "pending"],
    ]);
    const documentRecord = pending.find((r) => r.kind === "document");
    const executionRecord = pending.find((r) => r.kind === "execution");
    expect(documentRecord).toMatchObject({ hash: `0x${strip0x(documentHash)}`, executedDocumentHash: null });
    // The execution record commits to the executed PDF exactly as served…
    expect(executionRecord.executedDocumentHash).toBe(executedHash);
    // …and its hash is what the executed document, the certificate and the execution event all state.
    expect(executed.executionHash).toBe(executionRecord.hash);
    const cert = await fetchWorker(`/api/v1/contracts/${contractId}/certificate`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(cert.status).toBe(200);
    expect(cert.headers.get("x-execution-hash")).toBe(executionRecord.hash);
    expect(`0x${cert.headers.get("x-executed-document-sha256")}`).toBe(executedHash);
    const audit = await call("GET", `/api/v1/contracts/${contractId}/audit`, { token: owner.token });
    const recorded = (audit.body.data as any[]).filter((e) => e.type === "contract.execution_recorded");
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data).toMatchObject({
      executionHash: executionRecord.hash,
      executedDocumentHash: strip0x(executedHash),
      documentHash: strip0x(documentHash),
    });
    // A party recomputes the anchored execution hash from what it can read: the executed PDF's SHA-256, the
    // contract's signatures (GET /contracts/:id, in signing order) and the audit head the record names.
    const contract = (await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data;
    const signatures = (contract.signers as any[])
      .filter((s) => s.status === "signed" && s.signature)
      .sort((x, y) => x.signedAt.localeCompare(y.signedAt) || x.order - y.order || x.id.localeCompare(y.id))
      .map((s) => ({ signerId: s.id, role: s.role, signedAt: s.signedAt, signature: s.signature }));
    const recomputed = executionHashOf({
      documentHash,
      executedDocumentHash: executedHash,
      signatures,
      auditHead: recorded[0].data.auditHead,
    });
    expect(recomputed).toBe(executionRecord.hash);
    // The audit head it names is the event just before the record in the hash chain.
    expect(audit.body.data.find((e: any) => e.seq === recorded[0].seq - 1).hash).toBe(recorded[0].data.auditHead);

    // Batch pass: all records go out in one transaction (Anvil mines it on receipt). The intermediate `anchored`
    // state and "1 of 2 confirmations" are not asserted here: Anvil is shared with other test files that mine and
    // toggle automine concurrently (test/routes/anchor-routes.test.ts covers them); two more blocks guarantee the 2
    // confirmations this network requires even if the transaction waited in the pool, and the confirm pass settles it.
    await runAnchorCron();
    await mine(2);
    await runAnchorCron();
    const res = await call("GET", `/api/v1/contracts/${contractId}/anchor`, { token: owner.token });
    const records = res.body.data.records as any[];
    expect(records.map((r) => r.kind).sort()).toEqual(["document", "execution"]);
    // One transaction proves both.
    expect(new Set(records.map((r) => r.txHash)).size).toBe(1);
    expect(new Set(records.map((r) => r.proof.root)).size).toBe(1);

    const client = createPublicClient({ transport: http(rpcUrl()) });
    for (const r of records) {
      expect(r).toMatchObject({ status: "confirmed", contractId, network: { name: "anvil", chainId: 31337 } });
      expect(r.confirmations).toBeGreaterThanOrEqual(2);
      expect(r.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(Date.parse(r.confirmedAt)).not.toBeNaN();
      // The proof checks out with OpenZeppelin's independent implementation…
      expect(StandardMerkleTree.verify(r.proof.root, ["bytes32"], [r.hash], r.proof.path)).toBe(true);
      // …and the chain itself holds the root as the transaction's input, sent by our anchoring account.
      const tx = await client.getTransaction({ hash: r.txHash as Hex });
      expect(tx.input).toBe(r.proof.root);
      expect(tx.from.toLowerCase()).toBe(ANCHOR_ADDRESS.toLowerCase());
      expect(Number(tx.blockNumber)).toBe(r.blockNumber);
      expect((await client.getTransactionReceipt({ hash: r.txHash as Hex })).status).toBe("success");
    }
  });

  it("POST /verify with the downloaded PDF: known, the active contract, verified on chain", async () => {
    const res = await verifyFile(pdf);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      hash: `0x${strip0x(documentHash)}`,
      known: true,
      contracts: [{ id: contractId, status: "active" }],
      onChain: { verified: true },
    });
    expect(res.body.data.records).toHaveLength(1);
    expect(res.body.data.records[0]).toMatchObject({ kind: "document", status: "confirmed", contractId });
    expect(res.body.data.onChain.checks[0]).toMatchObject({
      verified: true,
      txHash: res.body.data.records[0].txHash,
      network: { chainId: 31337 },
    });
  });

  it("POST /verify with the executed PDF: its execution record, whose proof verifies on chain", async () => {
    const executedHash = await sha256(executedPdf);
    const res = await verifyFile(executedPdf);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      hash: executedHash,
      known: true,
      contracts: [{ id: contractId, status: "active" }],
      onChain: { verified: true },
    });
    // PDF → its SHA-256 → the execution record naming it → the record's proof → the root in the transaction.
    const [record] = res.body.data.records;
    expect(res.body.data.records).toHaveLength(1);
    expect(record).toMatchObject({ kind: "execution", executedDocumentHash: executedHash, status: "confirmed" });
    expect(StandardMerkleTree.verify(record.proof.root, ["bytes32"], [record.hash], record.proof.path)).toBe(true);
    const tx = await createPublicClient({ transport: http(rpcUrl()) }).getTransaction({ hash: record.txHash as Hex });
    expect(tx.input).toBe(record.proof.root);
    expect(res.body.data.onChain.checks[0]).toMatchObject({ verified: true, recordId: record.id });
  });

  it("POST /verify with the same PDF and one byte changed: unknown, nothing on chain", async () => {
    const altered = pdf.slice();
    const at = Math.floor(altered.length / 2);
    altered[at] = altered[at]! ^ 0x01;
    const alteredHash = await sha256(altered);
    expect(alteredHash).not.toBe(`0x${strip0x(documentHash)}`);

    const res = await verifyFile(altered);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      hash: alteredHash,
      known: false,
      contracts: [],
      records: [],
      onChain: { verified: false, checks: [] },
    });
  });
});

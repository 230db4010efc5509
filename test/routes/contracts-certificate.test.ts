// Issue 14.3: a certificate an auditor can follow — the sender, every party by name and email with their signature
// (the drawn image, the typed name in a handwriting face), the consent text, human-readable times with the UTC offset,
// IP and user agent, the document / executed-document / execution hashes, the audit chain with actor names (never a
// bare usr_ id), and the anchoring details (network, transaction, block, how to verify offline) with the /verify link
// its QR code encodes. Read back with poppler's pdftotext, as any PDF reader would.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { chainEnv, mine } from "../helpers/anchor-chain";
import { anchorBatch } from "../../src/cron/anchor-batch";
import { anchorConfirm } from "../../src/cron/anchor-confirm";
import { executedWithRecord } from "../helpers/executed-document";
import { CONSENT_TEXT } from "../../src/domain/consent";

/** Anvil's deterministic dev account #5: this file's own anchoring account (no other file sends from it). */
const chain = () =>
  chainEnv({ ANCHOR_PRIVATE_KEY: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba" });
const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

let owner: Actor;
let b: Actor;
let c: Actor;
beforeAll(async () => {
  [owner, b, c] = await Promise.all([actor(), actor(), actor()]);
});

async function pdftotext(pdf: ArrayBuffer): Promise<string> {
  const res = await fetch(`${env.PDF_TOOLS_URL}/pdftotext`, { method: "POST", body: pdf });
  expect(res.status).toBe(200);
  return new TextDecoder().decode(await res.arrayBuffer());
}

describe("GET /contracts/:id/certificate reads as an auditor needs", () => {
  it("names, signatures, consent, readable times, IP and agent, hashes, named audit actors, anchoring", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Audit me",
        type: "services",
        body: "Terms.",
        signers: [
          { email: b.email, name: "Chiamaka \u1eccn\u1ee5\u1ecdha", order: 1 },
          { email: c.email, name: "Dmitri Petrov", order: 2 },
        ],
      },
    });
    const id = created.body.data.id as string;
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "typed", value: "Chiamaka \u1eccn\u1ee5\u1ecdha" }, consent: true },
      headers: { "cf-connecting-ip": "198.51.100.23", "user-agent": "AuditBrowser/1.0" },
    });
    const done = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: c.token,
      body: { signature: { type: "drawn", value: PNG }, consent: true },
    });
    expect(done.body.data.status).toBe("active");
    const executed = await executedWithRecord(id, { token: owner.token });

    // Anchor what is queued (the frozen document, the execution record over the executed PDF) and confirm it.
    await anchorBatch(chain(), new Date());
    await mine(2);
    await anchorConfirm(chain(), new Date());
    const records = (await call("GET", `/api/v1/contracts/${id}/anchor`, { token: owner.token })).body.data.records;
    const mined = records.find((r: { txHash: string | null }) => r.txHash);
    expect(mined).toBeTruthy();

    const res = await fetchWorker(`/api/v1/contracts/${id}/certificate`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.status).toBe(200);
    const bytes = await res.arrayBuffer();
    const text = await pdftotext(bytes);
    const flat = text.replace(/\s+/g, " ");
    // The owner's display name: test/helpers/users.ts registers every account as "Test User".
    const me = { name: "Test User" };

    expect(flat).toContain(`Sent by ${me.name} <${owner.email}>`);
    expect(flat).toContain(`Chiamaka \u1eccn\u1ee5\u1ecdha <${b.email}>`);
    expect(flat).toContain(`Dmitri Petrov <${c.email}>`);
    expect(flat).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d:\d\d UTC\+00:00/);
    expect(flat).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // no raw ISO timestamps
    expect(flat).toContain("IP 198.51.100.23; user agent AuditBrowser/1.0");
    expect(flat).toContain(CONSENT_TEXT.slice(0, 60));
    expect(flat).toContain(res.headers.get("x-document-sha256")!);
    expect(flat).toContain(executed.sha256);
    // The execution record the certificate states is the one made over that executed PDF, and the one anchored.
    expect(res.headers.get("x-executed-document-sha256")).toBe(executed.sha256);
    expect(res.headers.get("x-execution-hash")).toBe(executed.executionHash);
    expect(records).toContainEqual(
      expect.objectContaining({
        kind: "execution",
        hash: executed.executionHash,
        executedDocumentHash: `0x${executed.sha256}`,
      }),
    );
    expect(flat).toContain(res.headers.get("x-execution-hash")!);
    expect(flat).toContain("escra-execution-v2");
    // Audit actors by name; a party acting through a link by their name too.
    expect(flat).toMatch(new RegExp(`contract\\.sent by ${me.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} <`));
    expect(flat).not.toMatch(/by usr_/);
    // Anchoring: network, transaction, block; how to verify offline; the /verify link.
    expect(flat).toContain("anvil (chain id 31337)");
    expect(flat).toContain(`Transaction ${mined.txHash}, block ${mined.blockNumber}`);
    expect(flat).toContain("To verify offline");
    expect(flat).toContain("/api/v1/verify?hash=0x");
    // The drawn signature is an image on the page; the typed one is in the handwriting face.
    const raw = new TextDecoder("latin1").decode(bytes);
    expect(raw).toMatch(/\/Subtype \/Image/);
    expect(raw).toMatch(/DancingScript/);
    // Two signings, an executed PDF, an anchoring round and a sealed certificate: the time of several requests.
  }, 120_000);
});

// End to end: send → approve → parallel signatures → wallet signature by emailed token → active → completed, with a
// live socket throughout (reconnect + resume midway), and the refusals of every signing endpoint.
import { env } from "cloudflare:workers";
import { describe, expect, it, beforeAll } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { call } from "../helpers/http";
import { executedWithRecord } from "../helpers/executed-document";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { waitForEmail } from "../helpers/mailbox";
import { LiveClient, type Received } from "../durable-objects/live-client";
import { walletTypedData } from "../../src/domain/signing";
import { verifyCountersignature, type SignatureRecord } from "../../src/lib/signatures";
import { sha256Hex } from "../../src/lib/crypto";

// Fixed test keys: public, never used for anything real.
const WALLET = privateKeyToAccount(`0x${"22".repeat(32)}`);
const OTHER_WALLET = privateKeyToAccount(`0x${"11".repeat(32)}`);

let owner: Actor;
let approver: Actor;
let b: Actor;
let c: Actor;
let stranger: Actor;
const dEmail = `d-${Date.now()}@example.com`;

const typed = (name: string) => ({ signature: { type: "typed", value: name, font: "caveat" }, consent: true });

async function newContract(signers: unknown[], extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Supply agreement", type: "supply", body: "Terms.", signers, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

/** The token of the signing link (the email's button; its URL in the text part). */
function tokenFrom(text: string): string {
  const m = /\/sign\/ctr_[0-9A-Za-z]{20}\?token=([^\s&]+)/.exec(text);
  if (!m) throw new Error(`no signing link in: ${text}`);
  return decodeURIComponent(m[1]!);
}

beforeAll(async () => {
  [owner, approver, b, c, stranger] = await Promise.all([actor(), actor(), actor(), actor(), actor()]);
});

describe("signing end to end", () => {
  it("approver then two parallel signers then a wallet signer by token: active, completed, live events in order with resume", async () => {
    const id = await newContract([
      { email: approver.email, name: "Approver", role: "approver", order: 1 },
      { email: b.email, name: "B", order: 2 },
      { email: c.email, name: "C", order: 2 },
      { email: dEmail, name: "D", order: 3 },
    ]);
    const path = `/api/v1/contracts/${id}/live`;
    let live = await LiveClient.authed(path, owner.token);
    const seen: Received[] = [];

    const sent = await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    expect(sent.status).toBe(200);
    expect(sent.body.data.status).toBe("pending");
    const documentHash = sent.body.data.documentHash as string;
    const doc = await env.DOCUMENTS.get(`contracts/${id}/document.pdf`);
    expect(sha256Hex(new Uint8Array(await doc!.arrayBuffer()))).toBe(documentHash);
    const served = await call("GET", `/api/v1/contracts/${id}/document`, { token: owner.token });
    expect(served.headers.get("x-document-sha256")).toBe(documentHash);
    seen.push(...(await live.until("contract.sent")));

    // Notified: the approver only (first order).
    await waitForEmail({ to: approver.email, subject: "asks you to approve" });

    // Out of turn: B before the approval.
    const early = await call("POST", `/api/v1/contracts/${id}/sign`, { token: b.token, body: typed("B") });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("RES002");

    const approved = await call("POST", `/api/v1/contracts/${id}/approve`, { token: approver.token });
    expect(approved.status).toBe(200);
    seen.push(...(await live.until("contract.approved")));
    const again = await call("POST", `/api/v1/contracts/${id}/approve`, { token: approver.token });
    expect(again.body.error.code).toBe("RES002");

    // Disconnect midway; events happen while away; reconnect and resume from the last seq seen.
    await live.close();
    await waitForEmail({ to: b.email, subject: "asks you to sign" });
    const [rb, rc] = await Promise.all([
      call("POST", `/api/v1/contracts/${id}/sign`, { token: b.token, body: typed("B Person") }),
      call("POST", `/api/v1/contracts/${id}/sign`, { token: c.token, body: typed("C Person") }),
    ]);
    expect([rb.status, rc.status]).toEqual([200, 200]);
    const dup = await call("POST", `/api/v1/contracts/${id}/sign`, { token: b.token, body: typed("B Person") });
    expect(dup.body.error.code).toBe("RES002");
    // Both parallel signatures landed exactly once, each in the other's resulting state or later.
    const afterPair = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body.data;
    const signedBy = afterPair
      .filter((e: any) => e.type === "contract.signed")
      .map((e: any) => e.data.signerId)
      .sort();
    const ids = (email: string) => sent.body.data.signers.find((s: any) => s.email === email).id;
    expect(signedBy).toEqual([ids(b.email), ids(c.email)].sort());
    expect(
      afterPair
        .filter((e: any) => e.type === "contract.signed")
        .map((e: any) => e.actorId)
        .sort(),
    ).toEqual([b.userId, c.userId].sort());

    live = await LiveClient.authed(path, owner.token);
    live.send({ type: "resume", payload: { since: seen.at(-1)!.seq } });
    const resumed = await live.until("resume:done");
    seen.push(...resumed.filter((m) => m.type.startsWith("contract.")));

    // D has no account: signs with the emailed token and a wallet.
    const mail = await waitForEmail({ to: dEmail, subject: "asks you to sign" });
    const token = tokenFrom(mail.text);
    const typedData = walletTypedData(id, documentHash, dEmail);
    const wrongHash = await WALLET.signTypedData(walletTypedData(id, "00".repeat(32), dEmail));
    const bad1 = await call("POST", `/api/v1/contracts/${id}/sign`, {
      headers: { "x-signing-token": token },
      body: { signature: { type: "wallet", value: wrongHash, address: WALLET.address }, consent: true },
    });
    expect(bad1.body.error.code).toBe("VAL001");
    const otherAddress = await OTHER_WALLET.signTypedData(typedData);
    const bad2 = await call("POST", `/api/v1/contracts/${id}/sign`, {
      headers: { "x-signing-token": token },
      body: { signature: { type: "wallet", value: otherAddress, address: WALLET.address }, consent: true },
    });
    expect(bad2.body.error.code).toBe("VAL001");
    const noConsent = await call("POST", `/api/v1/contracts/${id}/sign`, {
      headers: { "x-signing-token": token },
      body: {
        signature: { type: "wallet", value: await WALLET.signTypedData(typedData), address: WALLET.address },
        consent: false,
      },
    });
    expect(noConsent.body.error.code).toBe("VAL001");
    const good = await call("POST", `/api/v1/contracts/${id}/sign`, {
      headers: { "x-signing-token": token, "user-agent": "wallet-test", "cf-connecting-ip": "203.0.113.7" },
      body: {
        signature: { type: "wallet", value: await WALLET.signTypedData(typedData), address: WALLET.address },
        consent: true,
      },
    });
    expect(good.status).toBe(200);
    expect(good.body.data.status).toBe("active");
    const dSig = good.body.data.signers.find((s: any) => s.email === dEmail).signature as SignatureRecord;
    expect(dSig).toMatchObject({
      type: "wallet",
      address: WALLET.address.toLowerCase(),
      documentHash,
      ip: "203.0.113.7",
      userAgent: "wallet-test",
      consent: true,
    });
    expect(await verifyCountersignature(env, dSig)).toBe(true);
    expect(await verifyCountersignature(env, { ...dSig, ip: "198.51.100.1" })).toBe(false);
    seen.push(...(await live.until("contract.activated")));

    const done = await call("POST", `/api/v1/contracts/${id}/complete`, { token: owner.token, body: {} });
    expect(done.status).toBe(200);
    expect(done.body.data.status).toBe("completed");
    seen.push(...(await live.until("contract.completed")));

    // Every event, in order, none missing, none twice. The execution record (contract.execution_recorded) is made by
    // the executed PDF's render job, which may run before or after the completion: it is read below, not here.
    const unique = [...new Map(seen.map((m) => [m.seq, m])).values()];
    expect(unique.map((m) => m.type).filter((t) => t !== "contract.execution_recorded")).toEqual([
      "contract.sent",
      "contract.approved",
      "contract.signed",
      "contract.signed",
      "contract.signed",
      "contract.activated",
      "contract.completed",
    ]);
    const seqs = unique.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    await live.close();

    // Anchoring: the frozen document is queued at send; the execution record follows once the executed PDF's render
    // job has sealed it (polled for), and commits to that PDF: the execution_recorded event states both hashes.
    const activated = unique.find((m) => m.type === "contract.activated")!;
    expect(activated.data.executionHash).toBeUndefined();
    await executedWithRecord(id, { token: owner.token });
    const audit = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body.data as any[];
    const recorded = audit.find((e) => e.type === "contract.execution_recorded");
    const anchors = await env.DB.prepare(
      "SELECT DISTINCT kind, hash, executed_document_hash AS executed FROM anchor_records WHERE contract_id = ?" +
        " ORDER BY kind",
    )
      .bind(id)
      .all<{ kind: string; hash: string; executed: string | null }>();
    expect(anchors.results).toEqual([
      { kind: "document", hash: `0x${documentHash}`, executed: null },
      {
        kind: "execution",
        hash: recorded.data.executionHash,
        executed: `0x${recorded.data.executedDocumentHash}`,
      },
    ]);
    const executed = await env.DOCUMENTS.get(`contracts/${id}/executed-${recorded.data.executedDocumentHash}.pdf`);
    expect(sha256Hex(new Uint8Array(await executed!.arrayBuffer()))).toBe(recorded.data.executedDocumentHash);
    // Four signings, live resume, and the executed PDF's render job (fonts, seal, TSA) awaited: more than the default.
  }, 60_000);

  it("refuses actions after cancellation, and by callers who are not parties or not the owner", async () => {
    const id = await newContract([{ email: b.email, name: "B", order: 1 }]);
    expect(
      (await call("POST", `/api/v1/contracts/${id}/send`, { token: stranger.token, body: {} })).body.error.code,
    ).toBe("RES001");
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: b.token, body: {} })).body.error.code).toBe(
      "AUTH003",
    ); // a party sees it, may not send
    expect(
      (await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: { reminders: { max: -1 } } }))
        .body.error.code,
    ).toBe("VAL001");
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).body.error.code).toBe(
      "RES002",
    );
    expect(
      (await call("POST", `/api/v1/contracts/${id}/sign`, { token: stranger.token, body: typed("S") })).body.error.code,
    ).toBe("RES001");
    expect((await call("POST", `/api/v1/contracts/${id}/sign`, { body: typed("S") })).body.error.code).toBe("AUTH004");
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/sign`, {
          headers: { "x-signing-token": "est1.x.y" },
          body: typed("S"),
        })
      ).body.error.code,
    ).toBe("AUTH002");
    expect(
      (
        await call("POST", `/api/v1/contracts/${id}/sign`, {
          token: b.token,
          body: { signature: { type: "typed", value: "" }, consent: true },
        })
      ).body.error.code,
    ).toBe("VAL001");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/cancel`, { token: b.token, body: { reason: "no" } })).body.error
        .code,
    ).toBe("AUTH003");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/cancel`, { token: owner.token, body: {} })).body.error.code,
    ).toBe("VAL001");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/complete`, { token: owner.token, body: {} })).body.error.code,
    ).toBe("RES002");
    expect((await call("POST", `/api/v1/contracts/${id}/complete`, { token: b.token, body: {} })).body.error.code).toBe(
      "AUTH003",
    );
    expect((await call("POST", `/api/v1/contracts/${id}/approve`, { token: stranger.token })).body.error.code).toBe(
      "RES001",
    );
    expect((await call("POST", `/api/v1/contracts/${id}/approve`, { token: b.token })).body.error.code).toBe("RES002"); // a signer cannot approve
    expect(
      (await call("POST", `/api/v1/contracts/${id}/approve`, { headers: { "x-signing-token": "nope" } })).body.error
        .code,
    ).toBe("AUTH002");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/decline`, { token: stranger.token, body: { reason: "x" } })).body
        .error.code,
    ).toBe("RES001");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/decline`, { token: owner.token, body: { reason: "x" } })).body.error
        .code,
    ).toBe("AUTH003"); // owner is no party
    expect((await call("POST", "/api/v1/contracts/not-an-id/approve", { token: b.token })).body.error.code).toBe(
      "VAL001",
    );
    const cancelled = await call("POST", `/api/v1/contracts/${id}/cancel`, {
      token: owner.token,
      body: { reason: "changed plans" },
    });
    expect(cancelled.body.data).toMatchObject({ status: "cancelled", cancelReason: "changed plans" });
    const late = await call("POST", `/api/v1/contracts/${id}/sign`, { token: b.token, body: typed("B") });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("RES002");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/decline`, { token: b.token, body: { reason: "x" } })).body.error
        .code,
    ).toBe("RES002");
  });

  it("decline cancels with the reason", async () => {
    const id = await newContract([
      { email: b.email, name: "B", order: 1 },
      { email: c.email, name: "C", order: 1 },
    ]);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    expect((await call("POST", `/api/v1/contracts/${id}/decline`, { token: b.token, body: {} })).body.error.code).toBe(
      "VAL001",
    );
    const res = await call("POST", `/api/v1/contracts/${id}/decline`, { token: b.token, body: { reason: "price" } });
    expect(res.body.data).toMatchObject({ status: "cancelled", cancelReason: "price" });
    expect(res.body.data.signers.find((s: any) => s.email === b.email).status).toBe("declined");
  });

  it("a typed signature no font can draw is refused at signing (VAL001), never breaking the executed PDF", async () => {
    const id = await newContract([{ email: b.email, name: "B", order: 1 }]);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    // A private-use character: no font has it, so the executed document and the certificate could not show it.
    const res = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "typed", value: "B \uE000" }, consent: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VAL001");
    expect(res.body.error.details[0].path).toBe("signature.value");
    // A right-to-left override would draw "B" + "nosreP" reordered: refused too, like a line break.
    for (const value of ["B \u202EnosreP", "B\nPerson"]) {
      const refused = await call("POST", `/api/v1/contracts/${id}/sign`, {
        token: b.token,
        body: { signature: { type: "typed", value }, consent: true },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details[0].path).toBe("signature.value");
    }
    const after = await call("GET", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(after.body.data.status).toBe("pending");
    // A name in a script the fonts cover signs, and its executed document renders.
    const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "typed", value: "\u674e\u534e \u0645\u062d\u0645\u062f" }, consent: true },
    });
    expect(signed.body.data.status).toBe("active");
    const { pdf } = await executedWithRecord(id, { token: owner.token });
    expect(pdf.byteLength).toBeGreaterThan(1000);
  });
});

// Signing beyond the main flow: workflows applied at send, drawn/uploaded signatures, the certificate, expiry and
// reminders by cron, the live room's admission, and events carrying the parties as audience.
import { env } from "cloudflare:workers";
import { describe, expect, it, beforeAll } from "vitest";
import { PDFDocument } from "pdf-lib";
import { call } from "../helpers/http";
import { executedWithRecord } from "../helpers/executed-document";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { listEmails, waitForEmail } from "../helpers/mailbox";
import { LiveClient } from "../durable-objects/live-client";
import { base64Encode, sha256Hex } from "../../src/lib/crypto";
import { expireContracts } from "../../src/cron/contract-expiry";
import { remindContracts } from "../../src/cron/contract-reminders";
import { contractRoom } from "../../durable-objects/contract-room";
import { runInDurableObject } from "cloudflare:test";

let owner: Actor;
let approver: Actor;
let b: Actor;
let c: Actor;
let stranger: Actor;

const typed = (name: string) => ({ signature: { type: "typed", value: name }, consent: true });
const PNG_BYTES = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3,
]);
const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1]);
const dataUrl = (mime: string, bytes: Uint8Array) => `data:${mime};base64,${base64Encode(bytes)}`;

async function newContract(signers: unknown[], extra: Record<string, unknown> = {}) {
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Deal", type: "supply", body: "Terms.", signers, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

beforeAll(async () => {
  [owner, approver, b, c, stranger] = await Promise.all([actor(), actor(), actor(), actor(), actor()]);
});

describe("workflows", () => {
  it("CRUD for their owner; invalid input VAL001; others' rules RES001", async () => {
    const created = await call("POST", "/api/v1/workflows", {
      token: owner.token,
      body: {
        name: "Big supply deals",
        when: { type: "supply", minValue: 1000 },
        approvers: [{ email: approver.email.toUpperCase(), order: 1 }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: "Big supply deals",
      when: { type: "supply", minValue: 1000 },
      approvers: [{ email: approver.email, order: 1 }],
    });
    const wid = created.body.data.id;
    expect((await call("GET", "/api/v1/workflows", { token: owner.token })).body.data.map((w: any) => w.id)).toEqual([
      wid,
    ]);
    expect((await call("GET", "/api/v1/workflows", { token: stranger.token })).body.data).toEqual([]);
    for (const body of [
      { name: "x", approvers: [] },
      { name: "", approvers: [{ email: "a@x.com", order: 1 }] },
      {
        name: "x",
        approvers: [
          { email: "a@x.com", order: 1 },
          { email: "A@x.com", order: 2 },
        ],
      },
    ]) {
      expect((await call("POST", "/api/v1/workflows", { token: owner.token, body })).body.error.code).toBe("VAL001");
    }
    const put = {
      name: "Renamed",
      when: { type: "supply", minValue: 1000 },
      approvers: [{ email: approver.email, order: 1 }],
    };
    expect((await call("PUT", `/api/v1/workflows/${wid}`, { token: stranger.token, body: put })).body.error.code).toBe(
      "RES001",
    );
    expect((await call("PUT", `/api/v1/workflows/${wid}`, { token: owner.token, body: put })).body.data.name).toBe(
      "Renamed",
    );
    expect((await call("DELETE", `/api/v1/workflows/${wid}`, { token: stranger.token })).body.error.code).toBe(
      "RES001",
    );
    expect((await call("POST", "/api/v1/workflows", { body: put })).body.error.code).toBe("AUTH004");

    // Applied at send: matching contract gets the approver first; a small one does not.
    const big = await newContract([{ email: b.email, name: "B" }], { value: { amount: 5000, currency: "NGN" } });
    const small = await newContract([{ email: b.email, name: "B" }], { value: { amount: 10, currency: "NGN" } });
    const sentBig = (await call("POST", `/api/v1/contracts/${big}/send`, { token: owner.token, body: {} })).body.data;
    expect(sentBig.signers.map((s: any) => [s.email, s.role, s.order, s.status])).toEqual([
      [approver.email, "approver", 1, "notified"],
      [b.email, "signer", 2, "waiting"],
    ]);
    const sentSmall = (await call("POST", `/api/v1/contracts/${small}/send`, { token: owner.token, body: {} })).body
      .data;
    expect(sentSmall.signers.map((s: any) => s.role)).toEqual(["signer"]);
    expect((await call("DELETE", `/api/v1/workflows/${wid}`, { token: owner.token })).body.data).toEqual({
      id: wid,
      deleted: true,
    });
  });
});

describe("signature kinds", () => {
  it("drawn PNG and uploaded JPEG are stored in R2; a scripted SVG and a non-image are refused", async () => {
    const id = await newContract([
      { email: b.email, name: "B" },
      { email: c.email, name: "C" },
    ]);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const bad = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "drawn", value: dataUrl("image/svg+xml", svg) }, consent: true },
    });
    expect(bad.body.error.code).toBe("VAL001");
    const notImage = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: {
        signature: { type: "uploaded", value: dataUrl("image/png", new TextEncoder().encode("hello")) },
        consent: true,
      },
    });
    expect(notImage.body.error.code).toBe("VAL001");
    const tooBig = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "drawn", value: dataUrl("image/png", new Uint8Array(200 * 1024)) }, consent: true },
    });
    expect(tooBig.body.error.code).toBe("VAL001");

    const drawn = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: { signature: { type: "drawn", value: dataUrl("image/png", PNG_BYTES) }, consent: true },
    });
    expect(drawn.status).toBe(200);
    const bSig = drawn.body.data.signers.find((s: any) => s.email === b.email).signature;
    expect(bSig).toMatchObject({ type: "drawn", imageType: "image/png", consent: true });
    expect(new Uint8Array(await (await env.DOCUMENTS.get(bSig.imageKey))!.arrayBuffer())).toEqual(PNG_BYTES);

    const uploaded = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: c.token,
      body: { signature: { type: "uploaded", value: dataUrl("image/jpeg", JPEG_BYTES) }, consent: true },
    });
    expect(uploaded.body.data.status).toBe("active");
    const cSig = uploaded.body.data.signers.find((s: any) => s.email === c.email).signature;
    expect(cSig).toMatchObject({
      type: "uploaded",
      imageType: "image/jpeg",
      valueSha256: sha256Hex(dataUrl("image/jpeg", JPEG_BYTES)),
    });
    expect(await env.DOCUMENTS.head(cSig.imageKey)).not.toBeNull();
  });
});

describe("GET /contracts/:id/certificate", () => {
  it("only once active; its hashes match the frozen document and the audit chain; strangers RES001", async () => {
    const id = await newContract([{ email: b.email, name: "B" }]);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    expect((await call("GET", `/api/v1/contracts/${id}/certificate`, { token: owner.token })).body.error.code).toBe(
      "RES002",
    );
    await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: b.token,
      body: typed("B"),
      headers: { "cf-connecting-ip": "198.51.100.9" },
    });

    // The executed PDF (rendered by a job, or on a first request) once final: its execution record exists.
    const executed = await executedWithRecord(id, { token: b.token });
    const res = await call("GET", `/api/v1/contracts/${id}/certificate`, { token: b.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const doc = new Uint8Array(await (await env.DOCUMENTS.get(`contracts/${id}/document.pdf`))!.arrayBuffer());
    expect(res.headers.get("x-document-sha256")).toBe(sha256Hex(doc));
    const audit = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body.data;
    const head = audit.at(-1);
    expect(res.headers.get("x-audit-head")).toBe(`${head.seq}:${head.hash}`);
    // The execution record, made over the executed PDF, is what the certificate and the executed document state.
    const recorded = audit.find((e: any) => e.type === "contract.execution_recorded");
    expect(res.headers.get("x-execution-hash")).toBe(recorded.data.executionHash);
    expect(res.headers.get("x-execution-hash")).toBe(executed.executionHash);
    expect(res.headers.get("x-executed-document-sha256")).toBe(executed.sha256);
    expect(recorded.data.executedDocumentHash).toBe(executed.sha256);
    // The same values inside the PDF itself.
    const raw = await (await fetchCertificate(id)).arrayBuffer();
    const pdf = await PDFDocument.load(raw, { updateMetadata: false });
    expect(pdf.getKeywords()).toContain(`document:${sha256Hex(doc)}`);
    expect(pdf.getKeywords()).toContain(`audit:${head.seq}:${head.hash}`);

    expect((await call("GET", `/api/v1/contracts/${id}/certificate`, { token: stranger.token })).body.error.code).toBe(
      "RES001",
    );
    expect((await call("GET", `/api/v1/contracts/${id}/certificate`)).body.error.code).toBe("AUTH004");
  });
});

async function fetchCertificate(id: string) {
  const { exports } = await import("cloudflare:workers");
  return exports.default.fetch(
    new Request(`https://escra.test/api/v1/contracts/${id}/certificate`, {
      headers: { authorization: `Bearer ${owner.token}` },
    }),
  );
}

describe("cron: expiry and reminders", () => {
  it("a pending contract past expiresAt is cancelled (contract.expired); later actions RES002", async () => {
    const id = await newContract([{ email: b.email, name: "B" }], {
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    await expireContracts(env, new Date(Date.now() + 30_000));
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data.status).toBe("pending");
    await expireContracts(env, new Date(Date.now() + 120_000));
    const after = (await call("GET", `/api/v1/contracts/${id}`, { token: owner.token })).body.data;
    expect(after).toMatchObject({ status: "cancelled", cancelReason: "expired" });
    const audit = (await call("GET", `/api/v1/contracts/${id}/audit`, { token: owner.token })).body.data.map(
      (e: any) => e.type,
    );
    expect(audit).toContain("contract.expired");
    expect(
      (await call("POST", `/api/v1/contracts/${id}/sign`, { token: b.token, body: typed("B") })).body.error.code,
    ).toBe("RES002");
  });

  it("reminds waiting parties on schedule, at most max, never someone who acted; escalates to the owner once", async () => {
    const id = await newContract([
      { email: b.email, name: "B" },
      { email: c.email, name: "C" },
      { email: approver.email, name: "Later", order: 2 },
    ]);
    const sent = await call("POST", `/api/v1/contracts/${id}/send`, {
      token: owner.token,
      body: { reminders: { firstAfterHours: 1, everyHours: 2, max: 2, escalateAfterHours: 3 } },
    });
    expect(sent.status).toBe(200);
    const t0 = Date.now();
    const h = (n: number) => new Date(t0 + n * 3_600_000 + 60_000);
    const scheduled = await env.DB.prepare("SELECT next_due_at AS due FROM signing_schedule WHERE contract_id = ?")
      .bind(id)
      .first<{ due: string }>();
    expect(Date.parse(scheduled!.due) - Date.parse(sent.body.data.sentAt)).toBe(3_600_000);
    await remindContracts(env, h(0.5));
    expect((await contractRoom(env, id).auditTrail()).filter((e) => e.type === "contract.reminder_sent")).toHaveLength(
      0,
    );

    await remindContracts(env, h(1));
    await waitForEmail({ to: b.email, subject: /^Reminder: .* asks you to sign "Deal"$/ });
    await waitForEmail({ to: c.email, subject: /^Reminder: .* asks you to sign "Deal"$/ });
    await call("POST", `/api/v1/contracts/${id}/sign`, { token: b.token, body: typed("B") });

    await remindContracts(env, h(3));
    const escalation = await waitForEmail({ to: owner.email, subject: "is waiting on 1 party" });
    expect(escalation.text).toContain(c.email);
    expect(escalation.text).not.toContain(b.email);
    await remindContracts(env, h(10)); // max reached (2), escalation already sent
    const reminders = (await contractRoom(env, id).auditTrail()).filter((e) => e.type === "contract.reminder_sent");
    expect(reminders.map((e) => (e.data as any).signerId).sort()).toEqual(
      [
        sent.body.data.signers.find((s: any) => s.email === b.email).id,
        ...Array(2).fill(sent.body.data.signers.find((s: any) => s.email === c.email).id),
      ].sort(),
    );
    const bReminders = (await listEmails(b.email)).filter(
      (m) => m.subject.startsWith("Reminder") && m.subject.includes('"Deal"'),
    );
    expect(bReminders.length).toBeGreaterThanOrEqual(1);
    expect((await listEmails(approver.email)).filter((m) => m.subject.includes("Reminder"))).toHaveLength(0);
    expect((await listEmails(owner.email)).filter((m) => m.subject.includes("is waiting on"))).toHaveLength(1);
  });
});

describe("live room admission and event audience", () => {
  it("admits owner and parties, closes strangers with 4003; events carry the parties as audience", async () => {
    const id = await newContract([{ email: b.email, name: "B" }]);
    const party = await LiveClient.authed(`/api/v1/contracts/${id}/live`, b.token);
    // b's personal feed gets the contract's events only when b is in the event's audience (EVENTS consumer).
    const feed = await LiveClient.authed(`/api/v1/live?userId=${b.userId}`, b.token);
    const outsider = await LiveClient.open(`/api/v1/contracts/${id}/live`);
    outsider.send({ type: "auth", payload: { token: stranger.token } });
    expect((await outsider.closed).code).toBe(4003);
    await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} });
    const event = await party.next();
    expect(event).toMatchObject({ type: "contract.sent", data: { contractId: id, status: "pending" } });
    await party.close();
    const fed = await feed.until("contract.sent", 10_000);
    expect(fed.at(-1)).toMatchObject({ type: "contract.sent", data: { contractId: id } });
    await feed.close();
    const notRoom = await call("GET", `/api/v1/contracts/${id}/live`, { token: owner.token });
    expect(notRoom.body.error.code).toBe("VAL001");
  });

  it("a command emptying the outbox does not cancel the hub's alarm: an unauthenticated socket is still timed out", async () => {
    const id = await newContract([{ email: b.email, name: "B" }]);
    const silent = await LiveClient.open(`/api/v1/contracts/${id}/live`);
    const stub = env.CONTRACT_ROOM.get(env.CONTRACT_ROOM.idFromName(id));
    const before = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(before).not.toBeNull();
    // The aggregate's outbox and the hub share the object's one alarm; neither may push the other's deadline back.
    expect(
      (await call("PATCH", `/api/v1/contracts/${id}`, { token: owner.token, body: { title: "Edited" } })).status,
    ).toBe(200);
    const after = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(after).not.toBeNull();
    expect(after!).toBeLessThanOrEqual(before!);
    await silent.close();
  });
});

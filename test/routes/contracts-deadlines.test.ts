// Times are instants and deadlines hold when someone acts (issues 20.1, 12.3), and a signed record never changes
// (12.6): offsets at the boundary, expiry enforced by the room at command time, refused signings store nothing.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { base64Encode } from "../../src/lib/crypto";
import { expireContracts } from "../../src/cron/contract-expiry";
import { SIGNING_TOKEN_TTL_HOURS, issueSigningToken } from "../../src/lib/signing-token";

let owner: Actor;
let b: Actor;
let c: Actor;

/** `ms` written as a local time at `offset` ("+05:30", "-08:00"), with an optional fraction of any length. */
function inOffset(ms: number, offset: string, fraction = ""): string {
  const sign = offset.startsWith("-") ? -1 : 1;
  const [h, m] = offset.slice(1).split(":").map(Number) as [number, number];
  const local = new Date(ms + sign * (h * 60 + m) * 60_000).toISOString().slice(0, 19);
  return `${local}${fraction}${offset}`;
}

const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PNG_A = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3]);
const PNG_B = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 9, 9, 9, 9]);
const drawn = (bytes: Uint8Array) => ({
  signature: { type: "drawn", value: `data:image/png;base64,${base64Encode(bytes)}` },
  consent: true,
});
const typed = (name: string) => ({ signature: { type: "typed", value: name }, consent: true });

async function newContract(extra: Record<string, unknown> = {}, signers: unknown[] = [{ email: b.email, name: "B" }]) {
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Deal", type: "supply", body: "Terms.", signers, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.data as { id: string; expiresAt: string | null };
}

beforeAll(async () => {
  [owner, b, c] = await Promise.all([actor(), actor(), actor()]);
});

describe("a time is an instant, not a string", () => {
  it("expiresAt = now + 3 h written in -08:00 is accepted, answered in UTC, and the contract can be sent", async () => {
    const at = wholeSecond(Date.now() + 3 * 3_600_000);
    const created = await newContract({ expiresAt: inOffset(at, "-08:00") });
    expect(created.expiresAt).toBe(new Date(at).toISOString());
    const sent = await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    expect(sent.status).toBe(200);
    expect(sent.body.data).toMatchObject({ status: "pending", expiresAt: new Date(at).toISOString() });
    const row = await env.DB.prepare("SELECT expires_at FROM contracts WHERE id = ?")
      .bind(created.id)
      .first<{ expires_at: string }>();
    expect(row!.expires_at).toBe(new Date(at).toISOString());
  });

  it("expiresAt = now + 40 s written in +05:30 expires (the sweep compares instants)", async () => {
    const at = wholeSecond(Date.now() + 40_000);
    const created = await newContract({ expiresAt: inOffset(at, "+05:30") });
    expect(created.expiresAt).toBe(new Date(at).toISOString());
    await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    await expireContracts(env, new Date(at - 5_000));
    expect((await call("GET", `/api/v1/contracts/${created.id}`, { token: owner.token })).body.data.status).toBe(
      "pending",
    );
    await expireContracts(env, new Date(at + 60_000));
    const after = (await call("GET", `/api/v1/contracts/${created.id}`, { token: owner.token })).body.data;
    expect(after).toMatchObject({ status: "cancelled", cancelReason: "expired" });
  });

  it("fractional seconds with positive and negative offsets are kept to the millisecond", async () => {
    const at = wholeSecond(Date.now() + 86_400_000);
    const plus = await newContract({ expiresAt: inOffset(at, "+05:45", ".123456789") });
    expect(plus.expiresAt).toBe(new Date(at + 123).toISOString());
    const minus = await newContract({ expiresAt: inOffset(at, "-03:30", ".5") });
    expect(minus.expiresAt).toBe(new Date(at + 500).toISOString());
    const zulu = await newContract({ expiresAt: new Date(at).toISOString().replace(".000Z", "z") });
    expect(zulu.expiresAt).toBe(new Date(at).toISOString());
    // PATCH takes the same rule.
    const patched = await call("PATCH", `/api/v1/contracts/${plus.id}`, {
      token: owner.token,
      body: { expiresAt: inOffset(at, "-08:00") },
    });
    expect(patched.body.data.expiresAt).toBe(new Date(at).toISOString());
  });

  it("refuses times without an offset, impossible dates and past instants with an offset (VAL001)", async () => {
    const future = wholeSecond(Date.now() + 86_400_000);
    const past = wholeSecond(Date.now() - 60_000);
    for (const expiresAt of [
      new Date(future).toISOString().slice(0, 19), // no offset: which instant is meant?
      "2031-02-30T10:00:00Z",
      "2031-01-01T24:00:00Z",
      "2031-01-01T10:00:00+24:00",
      "tomorrow",
      inOffset(past, "+14:00"), // looks like tomorrow's date as text, but the instant passed
    ]) {
      const res = await call("POST", "/api/v1/contracts", {
        token: owner.token,
        body: { title: "T", type: "nda", expiresAt },
      });
      expect(res.status, expiresAt).toBe(400);
      expect(res.body.error).toMatchObject({ code: "VAL001", details: [{ path: "expiresAt" }] });
    }
  });

  it("an API key's expiresAt takes any offset and is stored in UTC", async () => {
    const at = wholeSecond(Date.now() + 3_600_000);
    const res = await call("POST", "/api/v1/api-keys", {
      token: owner.token,
      body: { name: "offset", scopes: ["contracts:read"], expiresAt: inOffset(at, "-08:00", ".250") },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.expiresAt).toBe(new Date(at + 250).toISOString());
  });

  it("the OpenAPI document states the rule on time inputs", async () => {
    const doc = (await call("GET", "/api/v1/openapi.json")).body;
    const schema = doc.components.schemas.CreateContract.properties.expiresAt;
    expect(schema).toMatchObject({ type: "string", format: "date-time" });
    expect(schema.description).toMatch(/RFC 3339.*offset.*UTC/);
  });
});

describe("a deadline is checked when someone acts", () => {
  it("signing after expiresAt passed is refused (RES002) and the contract expires with it", async () => {
    const created = await newContract({ expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} })).status).toBe(
      200,
    );
    await sleep(2_000);
    const res = await call("POST", `/api/v1/contracts/${created.id}/sign`, { token: b.token, body: drawn(PNG_A) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RES002");
    expect(res.body.error.message).toMatch(/expired/);
    const after = (await call("GET", `/api/v1/contracts/${created.id}`, { token: owner.token })).body.data;
    expect(after).toMatchObject({ status: "cancelled", cancelReason: "expired", activatedAt: null });
    expect(after.signers[0]).toMatchObject({ status: "notified", signature: null });
    const audit = (await call("GET", `/api/v1/contracts/${created.id}/audit`, { token: owner.token })).body.data.map(
      (e: any) => e.type,
    );
    expect(audit).toEqual(expect.arrayContaining(["contract.expired", "contract.cancelled"]));
    expect(audit).not.toContain("contract.signed");
    // Decided before any side effect: no signature image was stored.
    expect((await env.DOCUMENTS.list({ prefix: `contracts/${created.id}/signatures/` })).objects).toEqual([]);
    // No execution anchor either.
    const anchors = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM anchor_records WHERE contract_id = ? AND kind = 'execution'",
    )
      .bind(created.id)
      .first<{ n: number }>();
    expect(anchors!.n).toBe(0);
  });

  it("approve and decline after the expiry are refused the same way", async () => {
    const created = await newContract({ expiresAt: new Date(Date.now() + 1_500).toISOString() }, [
      { email: b.email, name: "B", role: "approver", order: 1 },
      { email: c.email, name: "C", order: 2 },
    ]);
    await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    await sleep(2_000);
    const approve = await call("POST", `/api/v1/contracts/${created.id}/approve`, { token: b.token });
    expect(approve.body.error).toMatchObject({ code: "RES002" });
    expect(approve.body.error.message).toMatch(/expired/);
    const decline = await call("POST", `/api/v1/contracts/${created.id}/decline`, {
      token: b.token,
      body: { reason: "late" },
    });
    expect(decline.body.error).toMatchObject({ code: "RES002" });
    const after = (await call("GET", `/api/v1/contracts/${created.id}`, { token: owner.token })).body.data;
    expect(after).toMatchObject({ status: "cancelled", cancelReason: "expired" });
    const audit = (await call("GET", `/api/v1/contracts/${created.id}/audit`, { token: owner.token })).body.data.map(
      (e: any) => e.type,
    );
    expect(audit.filter((t: string) => t === "contract.expired")).toHaveLength(1);
  });

  it("a signing link past its expiry is refused when used (AUTH002); a fresh one works", async () => {
    const created = await newContract();
    const sent = await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    const signerId = sent.body.data.signers[0].id as string;
    const issuedAt = new Date(Date.now() - SIGNING_TOKEN_TTL_HOURS * 3_600_000 - 1_000);
    const stale = issueSigningToken(env, created.id, signerId, issuedAt);
    const refused = await call("POST", `/api/v1/contracts/${created.id}/sign`, {
      headers: { "x-signing-token": stale },
      body: typed("B"),
    });
    expect(refused.body.error.code).toBe("AUTH002");
    const fresh = issueSigningToken(env, created.id, signerId);
    const signed = await call("POST", `/api/v1/contracts/${created.id}/sign`, {
      headers: { "x-signing-token": fresh },
      body: typed("B"),
    });
    expect(signed.body.data.status).toBe("active");
  });

  it("a draft whose expiresAt passed cannot be sent (RES002, says what to do)", async () => {
    const created = await newContract({ expiresAt: new Date(Date.now() + 1_000).toISOString() });
    await sleep(1_300);
    const res = await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    expect(res.body.error).toMatchObject({ code: "RES002" });
    expect(res.body.error.message).toMatch(/set a later one/);
    // Refused before the document was rendered and frozen in R2.
    expect(await env.DOCUMENTS.head(`contracts/${created.id}/document.pdf`)).toBeNull();
    // A later expiresAt written with an offset makes it sendable.
    const later = inOffset(wholeSecond(Date.now() + 3_600_000), "-08:00");
    expect(
      (await call("PATCH", `/api/v1/contracts/${created.id}`, { token: owner.token, body: { expiresAt: later } }))
        .status,
    ).toBe(200);
    expect((await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} })).status).toBe(
      200,
    );
  });
});

describe("a signed record never changes", () => {
  it("a second signing with a new drawn image is refused and the stored image is unchanged", async () => {
    const created = await newContract({}, [
      { email: b.email, name: "B" },
      { email: c.email, name: "C" },
    ]);
    await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    const first = await call("POST", `/api/v1/contracts/${created.id}/sign`, { token: b.token, body: drawn(PNG_A) });
    expect(first.status).toBe(200);
    const key = first.body.data.signers.find((s: any) => s.email === b.email).signature.imageKey as string;

    const again = await call("POST", `/api/v1/contracts/${created.id}/sign`, { token: b.token, body: drawn(PNG_B) });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RES002");
    expect(new Uint8Array(await (await env.DOCUMENTS.get(key))!.arrayBuffer())).toEqual(PNG_A);
    // Nothing else was written either: the only image of this contract is the signed one.
    const stored = (await env.DOCUMENTS.list({ prefix: `contracts/${created.id}/signatures/` })).objects.map(
      (o) => o.key,
    );
    expect(stored).toEqual([key]);
    const view = (await call("GET", `/api/v1/contracts/${created.id}`, { token: owner.token })).body.data;
    expect(view.signers.find((s: any) => s.email === b.email).signature.imageKey).toBe(key);
  });

  it("a signature image is stored under its content address", async () => {
    const created = await newContract();
    await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    const signed = await call("POST", `/api/v1/contracts/${created.id}/sign`, { token: b.token, body: drawn(PNG_B) });
    const sig = signed.body.data.signers[0].signature;
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", PNG_B))]
      .map((x) => x.toString(16).padStart(2, "0"))
      .join("");
    expect(sig.imageKey).toBe(`contracts/${created.id}/signatures/${sig.signerId}/${digest}.png`);
  });

  it("a typed signing after activation is refused before anything is stored", async () => {
    const created = await newContract();
    await call("POST", `/api/v1/contracts/${created.id}/send`, { token: owner.token, body: {} });
    expect(
      (await call("POST", `/api/v1/contracts/${created.id}/sign`, { token: b.token, body: typed("B") })).body.data
        .status,
    ).toBe("active");
    const late = await call("POST", `/api/v1/contracts/${created.id}/sign`, { token: b.token, body: drawn(PNG_A) });
    expect(late.body.error.code).toBe("RES002");
    expect((await env.DOCUMENTS.list({ prefix: `contracts/${created.id}/signatures/` })).objects).toEqual([]);
  });
});

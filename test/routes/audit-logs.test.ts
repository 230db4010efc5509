// Audit log API (issue 16.2): who sees what, filters, pagination, security events recorded, and exports whose
// contract trail verifies with an independent SHA-256 computation.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, fetchWorker } from "../helpers/http";
import { createUser, login } from "../helpers/users";
import { newId } from "../../src/lib/ids";

/** Canonical JSON written independently of src/domain/canonical-json.ts (sorted keys, no whitespace). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonical(v))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function newContract(token: string, title = "Audited") {
  const res = await call("POST", "/api/v1/contracts", { token, body: { title, type: "services", body: "Terms." } });
  expect(res.status).toBe(201);
  return res.body.data.id as string;
}

describe("GET /api/v1/audit/logs", { timeout: 90_000 }, () => {
  it("shows a user their own actions and their contracts' events, never someone else's; admins see all", async () => {
    const owner = await createUser();
    const other = await createUser();
    const admin = await createUser({ role: "admin" });
    const contractId = await newContract(owner.accessToken);
    const otherContract = await newContract(other.accessToken);

    // contract.created reaches the audit log through the EVENTS consumer.
    const mine = await waitFor(async () => {
      const res = await call("GET", `/api/v1/audit/logs?resourceType=contract&resourceId=${contractId}`, {
        token: owner.accessToken,
      });
      return res.body.data?.length > 0 ? res : undefined;
    });
    expect(mine.status).toBe(200);
    expect(mine.body.data[0]).toMatchObject({
      action: "contract.created",
      actorId: owner.user.id,
      resourceType: "contract",
      resourceId: contractId,
    });
    expect(mine.body.pagination).toMatchObject({ page: 1, perPage: 20 });

    const logins = await call("GET", "/api/v1/audit/logs?action=auth.*", { token: owner.accessToken });
    expect(logins.body.data.map((e: { action: string }) => e.action)).toContain("auth.login.succeeded");
    expect(logins.body.data.every((e: { actorId: string }) => e.actorId === owner.user.id)).toBe(true);

    const snooping = await call("GET", `/api/v1/audit/logs?resourceId=${otherContract}`, { token: owner.accessToken });
    expect(snooping.status).toBe(200);
    expect(snooping.body.data).toEqual([]);
    const byOther = await call("GET", `/api/v1/audit/logs?userId=${other.user.id}`, { token: owner.accessToken });
    expect(byOther.body.data).toEqual([]);

    const adminView = await waitFor(async () => {
      const res = await call("GET", `/api/v1/audit/logs?resourceId=${otherContract}`, { token: admin.accessToken });
      return res.body.data?.length > 0 ? res : undefined;
    });
    expect(adminView.body.data[0]).toMatchObject({ action: "contract.created", actorId: other.user.id });
  });

  it("filters by time window and pages with the one paginator", async () => {
    const user = await createUser();
    const future = await call("GET", "/api/v1/audit/logs?startDate=2999-01-01T00:00:00Z", { token: user.accessToken });
    expect(future.body.data).toEqual([]);
    const page = await call("GET", "/api/v1/audit/logs?perPage=1&page=1", { token: user.accessToken });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination.total).toBeGreaterThanOrEqual(2); // registered, verified, logged in
    expect(page.body.links.next).toContain("page=2");
  });

  it("records lockouts and API key use as security events", async () => {
    const user = await createUser();
    for (let i = 0; i < 10; i++) {
      const res = await login(user.email, "wrong-password-xx");
      if (res.status === 423) break;
    }
    const locked = await call("GET", "/api/v1/audit/logs?action=auth.account.locked", { token: user.accessToken });
    expect(locked.body.data).toHaveLength(1);
    expect(locked.body.data[0].data.lockedUntil).toEqual(expect.any(String));

    const key = await call("POST", "/api/v1/api-keys", {
      token: user.accessToken,
      body: { name: "audit", scopes: ["audit:read"] },
    });
    const secret = key.body.data.secret as string;
    expect((await call("GET", "/api/v1/audit/logs", { token: secret })).status).toBe(200);
    const used = await waitFor(async () => {
      const res = await call("GET", "/api/v1/audit/logs?action=api_key.used", { token: user.accessToken });
      return res.body.data?.length > 0 ? res : undefined;
    });
    expect(used.body.data[0]).toMatchObject({
      resourceType: "api_key",
      resourceId: key.body.data.id,
      actorId: user.user.id,
    });
  });

  it("refuses bad input (VAL001), anonymous callers (AUTH004) and keys without audit:read (AUTH003)", async () => {
    const user = await createUser();
    for (const q of ["startDate=yesterday", "userId=bob", "action=DROP%20TABLE", "perPage=1000"]) {
      const res = await call("GET", `/api/v1/audit/logs?${q}`, { token: user.accessToken });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe("VAL001");
    }
    expect((await call("GET", "/api/v1/audit/logs")).body.error.code).toBe("AUTH004");
    const key = await call("POST", "/api/v1/api-keys", {
      token: user.accessToken,
      body: { name: "no-audit", scopes: ["contracts:read"] },
    });
    const refused = await call("GET", "/api/v1/audit/logs", { token: key.body.data.secret });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("AUTH003");
  });
});

describe("GET /api/v1/audit/logs/export", { timeout: 90_000 }, () => {
  it("exports a contract's trail whose hash chain verifies with an independent SHA-256", async () => {
    const owner = await createUser();
    const contractId = await newContract(owner.accessToken, "Chain");
    const patched = await call("PATCH", `/api/v1/contracts/${contractId}`, {
      token: owner.accessToken,
      body: { title: "Chain v2" },
    });
    expect(patched.status).toBe(200);

    const res = await fetchWorker(
      `/api/v1/audit/logs/export?format=json&resourceType=contract&resourceId=${contractId}`,
      {
        headers: { authorization: `Bearer ${owner.accessToken}` },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const exported = (await res.json()) as {
      entries: unknown[];
      contractTrail: {
        head: string;
        events: {
          seq: number;
          type: string;
          actorId: string;
          at: string;
          data: unknown;
          prevHash: string;
          hash: string;
          disclosures?: Record<string, string>;
        }[];
      };
    };
    const events = exported.contractTrail.events;
    expect(events.length).toBeGreaterThanOrEqual(2);
    let prev = "0".repeat(64);
    for (const [i, e] of events.entries()) {
      expect(e.seq).toBe(i + 1);
      expect(e.prevHash).toBe(prev);
      // Personal fields enter the chain as salted commitments (README, "Erasure across copies"): a disclosed field
      // is replaced by `commit:sha256:` + sha256(salt + ":" + canonical(value)) before hashing.
      const data = { ...(e.data as Record<string, unknown>) };
      for (const [field, salt] of Object.entries(e.disclosures ?? {})) {
        data[field] = `commit:sha256:${await sha256Hex(`${salt}:${canonical(data[field])}`)}`;
      }
      const hash = await sha256Hex(prev + canonical({ seq: e.seq, type: e.type, actorId: e.actorId, at: e.at, data }));
      expect(e.hash).toBe(hash);
      prev = hash;
    }
    expect(exported.contractTrail.head).toBe(prev);

    // Tampering with one event breaks its link.
    const forged = { ...events[0]!, data: { ...(events[0]!.data as object), status: "forged" } };
    expect(
      await sha256Hex(
        "0".repeat(64) +
          canonical({ seq: 1, type: forged.type, actorId: forged.actorId, at: forged.at, data: forged.data }),
      ),
    ).not.toBe(events[0]!.hash);

    // Another user may not export this contract's trail.
    const stranger = await createUser();
    const denied = await call("GET", `/api/v1/audit/logs/export?resourceType=contract&resourceId=${contractId}`, {
      token: stranger.accessToken,
    });
    expect(denied.status).toBe(404);
    expect(denied.body.error.code).toBe("RES001");
    const unknown = await call("GET", `/api/v1/audit/logs/export?resourceType=contract&resourceId=${newId("ctr")}`, {
      token: owner.accessToken,
    });
    expect(unknown.body.error.code).toBe("RES001");
  });

  it("streams CSV and PDF; refuses an unknown format", async () => {
    const user = await createUser();
    const csv = await fetchWorker("/api/v1/audit/logs/export?format=csv", {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(csv.status).toBe(200);
    const text = await csv.text();
    const [header, ...rows] = text.trim().split("\n");
    expect(header).toBe("id,createdAt,action,actorId,resourceType,resourceId,ip,requestId,data");
    expect(rows.some((r) => r.includes("auth.login.succeeded"))).toBe(true);

    const pdf = await fetchWorker("/api/v1/audit/logs/export?format=pdf", {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe("%PDF-");

    const bad = await call("GET", "/api/v1/audit/logs/export?format=xml", { token: user.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
  });
});

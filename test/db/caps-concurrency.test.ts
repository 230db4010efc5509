// Limits and invariants hold under concurrency (issue 11.7): every cap and the "a team always has an owner" rule is
// decided inside one D1 statement/batch, so requests fired at once (Promise.all) cannot all pass a count read earlier.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { MAX_ACTIVE_KEYS } from "../../src/services/api-keys/create-api-key";
import { MAX_ENDPOINTS } from "../../src/services/webhooks/create-endpoint";
import { MAX_SAVED_SEARCHES } from "../../src/db/saved-searches";
import { MAX_SIGNERS } from "../../src/domain/contract-machine";
import { base32Decode, totp } from "../../src/domain/totp";

const post = (who: TestUser, path: string, body: unknown) =>
  call("POST", `/api/v1${path}`, { token: who.accessToken, body });

function tally(results: { status: number; body: { error?: { code: string } } }[]) {
  const created = results.filter((r) => r.status === 201).length;
  const refused = results.filter((r) => r.status === 409 && r.body.error?.code === "RES002").length;
  return { created, refused, other: results.length - created - refused };
}

async function rows(sql: string, ...params: unknown[]) {
  return (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;
}

describe("caps under concurrent creates", () => {
  it("30 concurrent webhook endpoint creates leave exactly 20 (issue example)", async () => {
    const u = await createUser();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(u, "/webhook-endpoints", { url: `https://hooks.partner.example/${i}`, events: ["*"] }),
      ),
    );
    expect(tally(results)).toEqual({ created: MAX_ENDPOINTS, refused: 30 - MAX_ENDPOINTS, other: 0 });
    expect(await rows("SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = ?", u.user.id)).toBe(MAX_ENDPOINTS);
    // Refused creates leave no audit entry behind.
    expect(
      await rows(
        "SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'webhook_endpoint.created'",
        u.user.id,
      ),
    ).toBe(MAX_ENDPOINTS);
  });

  it("30 concurrent API key creates leave exactly 25 active keys", async () => {
    const u = await createUser();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post(u, "/api-keys", { name: `k${i}`, scopes: ["teams:read"] })),
    );
    expect(tally(results)).toEqual({ created: MAX_ACTIVE_KEYS, refused: 30 - MAX_ACTIVE_KEYS, other: 0 });
    expect(await rows("SELECT count(*) AS n FROM api_keys WHERE user_id = ?", u.user.id)).toBe(MAX_ACTIVE_KEYS);
    expect(
      await rows("SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'api_key.created'", u.user.id),
    ).toBe(MAX_ACTIVE_KEYS);
  });

  it("concurrent saved-search creates stop at the cap", async () => {
    const u = await createUser();
    const n = MAX_SAVED_SEARCHES + 10;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => post(u, "/saved-searches", { name: `s${i}`, query: { q: `term${i}` } })),
    );
    expect(tally(results)).toEqual({ created: MAX_SAVED_SEARCHES, refused: 10, other: 0 });
    expect(await rows("SELECT count(*) AS n FROM saved_searches WHERE user_id = ?", u.user.id)).toBe(
      MAX_SAVED_SEARCHES,
    );
  });
});

describe("a team always keeps an owner, even under concurrency", () => {
  /** A team with two owners, the second added as an invitation would add them. */
  async function twoOwnerTeam() {
    const [a, b] = await Promise.all([createUser(), createUser()]);
    const team = await post(a, "/teams", { name: "Two owners" });
    expect(team.status).toBe(201);
    const teamId = team.body.data.id as string;
    const at = new Date().toISOString();
    await env.DB.prepare(
      "INSERT INTO team_members (team_id, user_id, role, added_by, created_at, updated_at) VALUES (?, ?, 'owner', ?, ?, ?)",
    )
      .bind(teamId, b.user.id, a.user.id, at, at)
      .run();
    return { a, b, teamId };
  }
  const owners = (teamId: string) =>
    rows("SELECT count(*) AS n FROM team_members WHERE team_id = ? AND role = 'owner'", teamId);

  it("two owners leaving at once: one leaves, the other gets RES002 and stays owner (issue example)", async () => {
    const { a, b, teamId } = await twoOwnerTeam();
    const [left, right] = await Promise.all([
      call("DELETE", `/api/v1/teams/${teamId}/members/${a.user.id}`, { token: a.accessToken }),
      call("DELETE", `/api/v1/teams/${teamId}/members/${b.user.id}`, { token: b.accessToken }),
    ]);
    expect([left.status, right.status].sort()).toEqual([200, 409]);
    expect([left, right].find((r) => r.status === 409)!.body.error.code).toBe("RES002");
    expect(await owners(teamId)).toBe(1);
  });

  it("two owners demoting each other at once: one demotion wins, one owner remains", async () => {
    const { a, b, teamId } = await twoOwnerTeam();
    const results = await Promise.all([
      call("PUT", `/api/v1/teams/${teamId}/members/${b.user.id}`, { token: a.accessToken, body: { role: "member" } }),
      call("PUT", `/api/v1/teams/${teamId}/members/${a.user.id}`, { token: b.accessToken, body: { role: "member" } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await owners(teamId)).toBe(1);
  });

  it("an owner leaving while being demoted by the other: the team still has an owner", async () => {
    const { a, b, teamId } = await twoOwnerTeam();
    await Promise.all([
      call("DELETE", `/api/v1/teams/${teamId}/members/${a.user.id}`, { token: a.accessToken }),
      call("PUT", `/api/v1/teams/${teamId}/members/${b.user.id}`, { token: a.accessToken, body: { role: "admin" } }),
    ]);
    expect(await owners(teamId)).toBeGreaterThanOrEqual(1);
  });

  it("the guarded writes keep the single-request rules: last owner RES002, others leave, audit once", async () => {
    const { a, b, teamId } = await twoOwnerTeam();
    expect(
      (await call("DELETE", `/api/v1/teams/${teamId}/members/${b.user.id}`, { token: b.accessToken })).status,
    ).toBe(200);
    const last = await call("DELETE", `/api/v1/teams/${teamId}/members/${a.user.id}`, { token: a.accessToken });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe("RES002");
    expect(
      await rows("SELECT count(*) AS n FROM audit_logs WHERE resource_id = ? AND action = 'team.member.left'", teamId),
    ).toBe(1);
    const gone = await call("PUT", `/api/v1/teams/${teamId}/members/${b.user.id}`, {
      token: a.accessToken,
      body: { role: "admin" },
    });
    expect(gone.body.error.code).toBe("RES001");
  });
});

describe("a contract's party cap holds for added signers too", () => {
  it("50 parties at creation, then 10 concurrent adds: all refused with RES002", async () => {
    const owner = await createUser();
    const signers = Array.from({ length: MAX_SIGNERS }, (_, i) => ({
      email: `party${i}@example.com`,
      name: `Party ${i}`,
    }));
    const created = await post(owner, "/contracts", { title: "Many parties", type: "nda", signers });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const adds = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(owner, `/contracts/${id}/signers`, { email: `late${i}@example.com`, name: `Late ${i}` }),
      ),
    );
    expect(adds.every((r) => r.status === 409 && r.body.error.code === "RES002")).toBe(true);
    const contract = await call("GET", `/api/v1/contracts/${id}`, { token: owner.accessToken });
    expect(contract.body.data.signers).toHaveLength(MAX_SIGNERS);
  });

  it("49 parties, then 5 concurrent adds: exactly one gets in", async () => {
    const owner = await createUser();
    const signers = Array.from({ length: MAX_SIGNERS - 1 }, (_, i) => ({ email: `p${i}@example.com`, name: `P ${i}` }));
    const id = (await post(owner, "/contracts", { title: "Almost full", type: "nda", signers })).body.data.id as string;
    const adds = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        post(owner, `/contracts/${id}/signers`, { email: `l${i}@example.com`, name: `L ${i}` }),
      ),
    );
    expect(tally(adds)).toEqual({ created: 1, refused: 4, other: 0 });
  });
});

describe("MFA turns on once", () => {
  it("two concurrent verifies with the same code: one gets recovery codes that work, the other RES002", async () => {
    const u = await createUser();
    const enabled = await post(u, "/auth/mfa/enable", {});
    expect(enabled.status).toBe(200);
    const code = totp(base32Decode(enabled.body.data.secret), Date.now());
    const both = await Promise.all([post(u, "/auth/mfa/verify", { code }), post(u, "/auth/mfa/verify", { code })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = both.find((r) => r.status === 200)!;
    // Exactly the winner's ten codes are stored: none of the loser's replaced them.
    expect(await rows("SELECT count(*) AS n FROM mfa_recovery_codes WHERE user_id = ?", u.user.id)).toBe(
      winner.body.data.recoveryCodes.length,
    );
    expect(
      await rows("SELECT count(*) AS n FROM audit_logs WHERE actor_id = ? AND action = 'auth.mfa.enabled'", u.user.id),
    ).toBe(1);
    const off = await post(u, "/auth/mfa/disable", { code: winner.body.data.recoveryCodes[0] });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
  });
});

// Retention runs (issue 15.4): admin-only policies with safe defaults, a dry run, and a daily application that is
// bounded, audited and idempotent. A fake clock: rows are inserted with old timestamps, and the run is given `now`.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { applyRetention } from "../../src/services/governance/apply-retention";
import { SEVEN_YEARS_DAYS } from "../../src/domain/retention";

const DAY = 86_400_000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const tag = crypto.randomUUID().slice(0, 8);
const id = (prefix: string, label: string) => `${prefix}_${(tag + label).padEnd(20, "0").slice(0, 20)}`;

let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  [admin, user] = await Promise.all([createUser({ role: "admin" }), createUser()]);
});

async function exists(table: string, key: string, value: string): Promise<boolean> {
  return !!(await env.DB.prepare(`SELECT 1 AS x FROM ${table} WHERE ${key} = ?`).bind(value).first());
}

/** One due and one not-yet-due row for every default policy. */
async function seed() {
  const s = (sql: string, ...params: unknown[]) => env.DB.prepare(sql).bind(...params);
  await env.DB.batch([
    // unverified_accounts: 7 days after registration
    s(
      "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'U', 'x', 'user', ?, ?)",
      id("usr", "old"),
      `old-${tag}@example.com`,
      ago(8),
      ago(8),
    ),
    s(
      "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES (?, ?, 'U', 'x', 'user', ?, ?)",
      id("usr", "new"),
      `new-${tag}@example.com`,
      ago(6),
      ago(6),
    ),
    // sessions and refresh tokens: 30 days after expiry (or revocation)
    s(
      "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      id("ses", "old"),
      user.user.id,
      ago(90),
      ago(60),
      ago(31),
    ),
    s(
      "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
      id("ses", "rev"),
      user.user.id,
      ago(90),
      ago(60),
      ago(-10),
      ago(31),
    ),
    s(
      "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      id("ses", "new"),
      user.user.id,
      ago(90),
      ago(60),
      ago(29),
    ),
    s(
      "INSERT INTO refresh_tokens (id, session_id, token_hash, generation, expires_at, created_at) VALUES (?, ?, ?, 1, ?, ?)",
      id("rft", "old"),
      id("ses", "rev"),
      `h-${tag}-1`,
      ago(-10),
      ago(90),
    ),
    // login lockouts: 1 day after the last failure
    s(
      "INSERT INTO login_throttles (email_key, failures, locked_until, updated_at) VALUES (?, 5, ?, ?)",
      `old-${tag}`,
      ago(2),
      ago(2),
    ),
    s(
      "INSERT INTO login_throttles (email_key, failures, locked_until, updated_at) VALUES (?, 5, NULL, ?)",
      `new-${tag}`,
      ago(0.5),
    ),
    // email payloads: cleared 30 days after delivery; the row stays
    s(
      "INSERT INTO email_deliveries (id, \"to\", template, data, status, created_at, updated_at, sent_at) VALUES (?, 'a@example.com', 't', '{\"code\":\"123456\"}', 'sent', ?, ?, ?)",
      id("eml", "old"),
      ago(31),
      ago(31),
      ago(31),
    ),
    s(
      "INSERT INTO email_deliveries (id, \"to\", template, data, status, created_at, updated_at, sent_at) VALUES (?, 'a@example.com', 't', '{\"code\":\"654321\"}', 'sent', ?, ?, ?)",
      id("eml", "new"),
      ago(29),
      ago(29),
      ago(29),
    ),
    // dead letters: 30 days
    s(
      "INSERT INTO dead_letters (id, queue, message_id, kind, body, attempts, received_at) VALUES (?, 'escra-jobs', ?, 'k', '{}', 3, ?)",
      id("dlq", "old"),
      `m-${tag}-1`,
      ago(31),
    ),
    s(
      "INSERT INTO dead_letters (id, queue, message_id, kind, body, attempts, received_at) VALUES (?, 'escra-jobs', ?, 'k', '{}', 3, ?)",
      id("dlq", "new"),
      `m-${tag}-2`,
      ago(29),
    ),
    // audit logs: 7 years
    s(
      "INSERT INTO audit_logs (id, action, created_at) VALUES (?, 'old.entry', ?)",
      id("aud", "old"),
      ago(SEVEN_YEARS_DAYS + 1),
    ),
    s(
      "INSERT INTO audit_logs (id, action, created_at) VALUES (?, 'new.entry', ?)",
      id("aud", "new"),
      ago(SEVEN_YEARS_DAYS - 30),
    ),
  ]);
}

describe("GET/POST/PUT/DELETE /governance/policies", () => {
  it("lists the safe defaults, to admins only", async () => {
    const res = await call("GET", "/api/v1/governance/policies", { token: admin.accessToken });
    expect(res.status).toBe(200);
    const byKind = Object.fromEntries(res.body.data.map((p: { recordKind: string }) => [p.recordKind, p]));
    expect(byKind).toMatchObject({
      unverified_accounts: { type: "deletion", periodDays: 7 },
      sessions: { type: "deletion", periodDays: 30 },
      login_lockouts: { type: "deletion", periodDays: 1 },
      email_payloads: { type: "retention", periodDays: 30 },
      dead_letters: { type: "deletion", periodDays: 30 },
      audit_logs: { type: "deletion", periodDays: SEVEN_YEARS_DAYS },
    });
    const denied = await call("GET", "/api/v1/governance/policies", { token: user.accessToken });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("AUTH003");
    expect(
      (await call("POST", "/api/v1/governance/policies/dry-run", { token: user.accessToken })).body.error.code,
    ).toBe("AUTH003");
  });

  it("creates, changes and deletes a policy; refuses bad input, a second policy per kind and unknown ids", async () => {
    const list = (await call("GET", "/api/v1/governance/policies", { token: admin.accessToken })).body.data;
    const dead = list.find((p: { recordKind: string }) => p.recordKind === "dead_letters");

    const dup = await call("POST", "/api/v1/governance/policies", {
      token: admin.accessToken,
      body: { recordKind: "dead_letters", type: "deletion", periodDays: 10 },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("RES002");
    const badType = await call("PUT", `/api/v1/governance/policies/${dead.id}`, {
      token: admin.accessToken,
      body: { type: "retention", periodDays: 10 },
    });
    expect(badType.status).toBe(400);
    expect(badType.body.error.code).toBe("VAL001");
    const badPeriod = await call("PUT", `/api/v1/governance/policies/${dead.id}`, {
      token: admin.accessToken,
      body: { type: "deletion", periodDays: 0 },
    });
    expect(badPeriod.body.error.code).toBe("VAL001");
    const unknown = await call("PUT", "/api/v1/governance/policies/pol_00000000000000000000", {
      token: admin.accessToken,
      body: { type: "deletion", periodDays: 10 },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("RES001");
    const byUser = await call("PUT", `/api/v1/governance/policies/${dead.id}`, {
      token: user.accessToken,
      body: { type: "deletion", periodDays: 10 },
    });
    expect(byUser.body.error.code).toBe("AUTH003");

    const changed = await call("PUT", `/api/v1/governance/policies/${dead.id}`, {
      token: admin.accessToken,
      body: { type: "deletion", periodDays: 45 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ id: dead.id, periodDays: 45, updatedBy: admin.user.id });

    const removed = await call("DELETE", `/api/v1/governance/policies/${dead.id}`, { token: admin.accessToken });
    expect(removed.body.data).toEqual({ id: dead.id, deleted: true });
    expect(
      (await call("DELETE", `/api/v1/governance/policies/${dead.id}`, { token: admin.accessToken })).body.error.code,
    ).toBe("RES001");
    const again = await call("POST", "/api/v1/governance/policies", {
      token: admin.accessToken,
      body: { recordKind: "dead_letters", type: "deletion", periodDays: 30 },
    });
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ recordKind: "dead_letters", type: "deletion", periodDays: 30 });
    const audited = await env.DB.prepare(
      "SELECT action FROM audit_logs WHERE resource_type = 'retention_policy' AND actor_id = ? ORDER BY created_at",
    )
      .bind(admin.user.id)
      .all<{ action: string }>();
    expect(audited.results.map((r) => r.action)).toEqual([
      "retention_policy.updated",
      "retention_policy.deleted",
      "retention_policy.created",
    ]);
  });
});

/**
 * Retires what other files left due in this workerd's shared database (old sessions, unverified accounts, dead
 * letters…), by runs a minute ahead of the real clock, so the dry run and the run below count only the rows seeded
 * here. Each run is bounded, hence the loop.
 */
async function settleOtherFilesRows() {
  const ahead = new Date(Date.now() + 60_000);
  while ((await applyRetention(env, ahead)).some((o) => o.count > 0));
}

/** The audit entries of the retention run at `now` (each run is audited at its own `now`). */
const runAudits = (now: Date) =>
  env.DB.prepare("SELECT data FROM audit_logs WHERE action = 'retention.applied' AND created_at = ?")
    .bind(now.toISOString())
    .all<{ data: string }>();

describe("the daily retention run", () => {
  it("removes exactly what each default policy makes due, shows it in the dry run first, audits, and is idempotent", async () => {
    await settleOtherFilesRows();
    await seed();
    const dry = await call("POST", "/api/v1/governance/policies/dry-run", { token: admin.accessToken });
    expect(dry.status).toBe(200);
    const dueBefore = Object.fromEntries(
      dry.body.data.map((o: { recordKind: string; count: number }) => [o.recordKind, o.count]),
    );
    expect(dueBefore).toEqual({
      unverified_accounts: 1,
      sessions: 3,
      login_lockouts: 1,
      email_payloads: 1,
      dead_letters: 1,
      audit_logs: 1,
    });

    const outcome = await applyRetention(env, NOW);
    expect(Object.fromEntries(outcome.map((o) => [o.recordKind, o.count]))).toEqual(dueBefore);

    // Due rows went (or were cleared); the others stayed.
    const retired = await env.DB.prepare("SELECT deleted_at FROM users WHERE id = ?")
      .bind(id("usr", "old"))
      .first<{ deleted_at: string | null }>();
    expect(retired?.deleted_at).not.toBeNull();
    const kept = await env.DB.prepare("SELECT deleted_at FROM users WHERE id = ?")
      .bind(id("usr", "new"))
      .first<{ deleted_at: string | null }>();
    expect(kept?.deleted_at).toBeNull();
    expect(await exists("sessions", "id", id("ses", "old"))).toBe(false);
    expect(await exists("sessions", "id", id("ses", "rev"))).toBe(false);
    expect(await exists("refresh_tokens", "id", id("rft", "old"))).toBe(false);
    expect(await exists("sessions", "id", id("ses", "new"))).toBe(true);
    expect(await exists("login_throttles", "email_key", `old-${tag}`)).toBe(false);
    expect(await exists("login_throttles", "email_key", `new-${tag}`)).toBe(true);
    const payloads = await env.DB.prepare("SELECT id, data FROM email_deliveries WHERE id IN (?, ?) ORDER BY id")
      .bind(id("eml", "new"), id("eml", "old"))
      .all<{ id: string; data: string }>();
    expect(Object.fromEntries(payloads.results.map((r) => [r.id, r.data]))).toEqual({
      [id("eml", "old")]: "{}",
      [id("eml", "new")]: '{"code":"654321"}',
    });
    expect(await exists("dead_letters", "id", id("dlq", "old"))).toBe(false);
    expect(await exists("dead_letters", "id", id("dlq", "new"))).toBe(true);
    expect(await exists("audit_logs", "id", id("aud", "old"))).toBe(false);
    expect(await exists("audit_logs", "id", id("aud", "new"))).toBe(true);

    const audit = await runAudits(NOW);
    expect(audit.results).toHaveLength(1);
    expect(JSON.parse(audit.results[0]!.data)).toEqual({ counts: dueBefore });

    // Run again (a retried cron): nothing is due, nothing changes, nothing more is audited.
    const second = await applyRetention(env, NOW);
    expect(second.every((o) => o.count === 0)).toBe(true);
    expect((await runAudits(NOW)).results).toHaveLength(1);
  });
});

// Analytics (issue 16.3): dashboard and usage figures a client reads, checked against values computed here from the
// seeded rows, the caller's scope, bad input and the analytics:read scope. An admin's figures cover the whole database,
// which other test files share: the rows are seeded in 2014, a year no other file writes to, and every window of
// this file ends at END there (the `endDate` a client gives to look at a past period).
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { SCHEDULES } from "../../src/cron/index";
import { rollUpAnalytics } from "../../src/cron/analytics-rollup";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { seedReportData, type SeedContract, type SeedEscrow } from "../helpers/report-seed";

const TAG = "anlX";
const T1 = "team_anlXT100000000000000";
const T2 = "team_anlXT200000000000000";
const DAY = 86_400_000;
const END = "2014-06-30T12:00:00.000Z";
const AT = `endDate=${END}`;
let admin: TestUser, a: TestUser, b: TestUser, c: TestUser;
let data: { contracts: SeedContract[]; escrows: SeedEscrow[] };
const teamsOf: Record<string, Record<string, string>> = {};

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
function visible(userId: string | "admin") {
  return data.contracts.filter(
    (k) => userId === "admin" || k.ownerId === userId || (k.teamId !== null && k.teamId in (teamsOf[userId] ?? {})),
  );
}

beforeAll(async () => {
  [admin, a, b, c] = await Promise.all([
    createUser({ role: "admin", name: "Ana Admin" }),
    createUser({ name: "Ari Lead" }),
    createUser({ name: "Bea Member" }),
    createUser({ name: "Cyd Other" }),
  ]);
  teamsOf[a.user.id] = { [T1]: "owner" };
  teamsOf[b.user.id] = { [T1]: "member" };
  teamsOf[c.user.id] = { [T2]: "owner" };
  // Six to two weeks before END: every signature and execution lies inside the quarter ending at END.
  data = await seedReportData({
    tag: TAG,
    people: [a, b, c].map((u) => ({ id: u.user.id, email: u.email, teams: teamsOf[u.user.id] as never })),
    teamIds: [T1, T2],
    start: new Date(Date.parse(END) - 42 * DAY).toISOString(),
    weeks: 4,
    contracts: 240,
    escrows: 45,
    seed: 7,
  });
}, 120_000);

describe("GET /analytics/dashboard", () => {
  it("sums contracts created, sent and executed, the signature rate, time to execute and escrow volume", async () => {
    const res = await call("GET", `/api/v1/analytics/dashboard?period=quarter&${AT}`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    const all = visible("admin");
    const sent = all.filter((k) => k.sentAt);
    const executed = all.filter((k) => k.activatedAt);
    const hours = executed.map((k) => (Date.parse(k.activatedAt!) - Date.parse(k.sentAt!)) / 3_600_000);
    const funded = data.escrows.filter((e) => e.fundedAt);
    expect(res.body.data.summary).toEqual({
      contractsCreated: all.length,
      contractsSent: sent.length,
      contractsExecuted: executed.length,
      signatureRate: r4(sent.filter((k) => k.activatedAt).length, sent.length),
      averageHoursToExecute: r2(hours.reduce((s, h) => s + h, 0) / hours.length),
      escrowVolume: ["NGN", "USD"].map((currency) => {
        const rows = funded.filter((e) => e.currency === currency);
        return { currency, count: rows.length, amount: rows.reduce((s, e) => s + e.amount, 0) };
      }),
    });
    expect(res.body.data.window.granularity).toBe("week");
    const series = res.body.data.series as { created: number; executed: number }[];
    expect(series.reduce((s, x) => s + x.created, 0)).toBe(all.length);
    expect(series.reduce((s, x) => s + x.executed, 0)).toBe(executed.length);
  });

  it("covers a user's own and their teams' contracts; a day by hour; a week by day", async () => {
    const res = await call("GET", `/api/v1/analytics/dashboard?period=year&${AT}`, { token: a.accessToken });
    expect(res.body.data.summary.contractsCreated).toBe(visible(a.user.id).length);
    expect(res.body.data.summary.contractsCreated).toBeLessThan(data.contracts.length);
    const day = await call("GET", `/api/v1/analytics/dashboard?period=day&${AT}`, { token: a.accessToken });
    expect(day.body.data.window.granularity).toBe("hour");
    expect(day.body.data.series.length).toBeGreaterThanOrEqual(24);
    expect(day.body.data.summary.contractsCreated).toBe(0);
    const week = await call("GET", "/api/v1/analytics/dashboard", { token: a.accessToken });
    expect(week.body.data.window).toMatchObject({ period: "month", granularity: "day" });
  });

  it("endDate ends the window at any instant (any offset), also of usage; without it the window ends now", async () => {
    const atEnd = await call("GET", "/api/v1/analytics/dashboard?period=quarter&endDate=2014-06-30T14:00:00%2B02:00", {
      token: a.accessToken,
    });
    expect(atEnd.status).toBe(200);
    expect(atEnd.body.data.window).toEqual({
      period: "quarter",
      startDate: new Date(Date.parse(END) - 91 * DAY).toISOString(),
      endDate: END,
      granularity: "week",
    });
    expect(atEnd.body.data.summary.contractsCreated).toBe(visible(a.user.id).length);
    // A quarter ending the day before the first seeded contract holds none of them.
    const early = `endDate=${new Date(Date.parse(END) - 43 * DAY).toISOString()}`;
    const before = await call("GET", `/api/v1/analytics/dashboard?period=quarter&${early}`, { token: a.accessToken });
    expect(before.body.data.summary).toMatchObject({ contractsCreated: 0, contractsSent: 0, contractsExecuted: 0 });
    const usage = await call("GET", `/api/v1/analytics/usage?groupBy=user&period=quarter&${early}`, {
      token: a.accessToken,
    });
    expect(usage.body.data.groups).toEqual([]);
    const current = await call("GET", "/api/v1/analytics/dashboard?period=quarter", { token: a.accessToken });
    expect(Date.parse(current.body.data.window.endDate)).toBeGreaterThan(Date.now() - 60_000);
    expect(current.body.data.summary.contractsCreated).toBe(0);
    const bad = await call("GET", "/api/v1/analytics/usage?groupBy=team&endDate=last%20week", { token: a.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    expect(bad.body.error.details[0].path).toBe("endDate");
  });

  it("refuses an unknown period (VAL001), a caller without a token (AUTH004) and a key without analytics:read (AUTH003)", async () => {
    const bad = await call("GET", "/api/v1/analytics/dashboard?period=decade", { token: a.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VAL001");
    expect((await call("GET", "/api/v1/analytics/dashboard")).status).toBe(401);
    const key = await call("POST", "/api/v1/api-keys", {
      token: a.accessToken,
      body: { name: "reports only", scopes: ["reports:read"] },
    });
    const denied = await call("GET", "/api/v1/analytics/dashboard", { token: key.body.data.secret });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("AUTH003");
    const allowed = await call("POST", "/api/v1/api-keys", {
      token: a.accessToken,
      body: { name: "analytics", scopes: ["analytics:read"] },
    });
    expect(
      (await call("GET", "/api/v1/analytics/usage?groupBy=team", { token: allowed.body.data.secret })).status,
    ).toBe(200);
  });
});

describe("GET /analytics/usage", () => {
  it("groups contracts created by document type, team and user, largest first, with names", async () => {
    const byType = await call("GET", `/api/v1/analytics/usage?groupBy=document_type&period=quarter&${AT}`, {
      token: admin.accessToken,
    });
    expect(byType.status).toBe(200);
    for (const g of byType.body.data.groups) {
      const rows = data.contracts.filter((k) => k.type === g.key);
      expect(g).toEqual({
        key: g.key,
        label: g.key,
        contractsCreated: rows.length,
        contractsSent: rows.filter((k) => k.sentAt).length,
        contractsExecuted: rows.filter((k) => k.activatedAt).length,
        executionRate: r4(rows.filter((k) => k.activatedAt).length, rows.filter((k) => k.sentAt).length),
      });
    }
    const created = byType.body.data.groups.map((g: any) => g.contractsCreated);
    expect(created).toEqual([...created].sort((x: number, y: number) => y - x));

    const byTeam = await call("GET", `/api/v1/analytics/usage?groupBy=team&period=quarter&${AT}`, {
      token: b.accessToken,
    });
    const teams = Object.fromEntries(byTeam.body.data.groups.map((g: any) => [String(g.key), g.contractsCreated]));
    const mine = visible(b.user.id);
    expect(teams).toEqual(
      Object.fromEntries(
        [...new Set(mine.map((k) => String(k.teamId)))].map((t) => [
          t,
          mine.filter((k) => String(k.teamId) === t).length,
        ]),
      ),
    );
    expect(byTeam.body.data.groups.find((g: any) => g.key === T1).label).toBe(`Team ${T1}`);

    const byUser = await call("GET", `/api/v1/analytics/usage?groupBy=user&period=quarter&${AT}`, {
      token: c.accessToken,
    });
    const cGroup = byUser.body.data.groups.find((g: any) => g.key === c.user.id);
    expect(cGroup).toMatchObject({
      label: "Cyd Other",
      contractsCreated: data.contracts.filter((k) => k.ownerId === c.user.id).length,
    });
    expect(
      byUser.body.data.groups.every(
        (g: any) => g.key !== a.user.id || visible(c.user.id).some((k) => k.ownerId === a.user.id),
      ),
    ).toBe(true);
  });

  it("needs a known groupBy (VAL001)", async () => {
    expect((await call("GET", "/api/v1/analytics/usage", { token: a.accessToken })).body.error.code).toBe("VAL001");
    expect(
      (await call("GET", "/api/v1/analytics/usage?groupBy=country", { token: a.accessToken })).body.error.code,
    ).toBe("VAL001");
  });
});

describe("daily rollups (the five-minute cron)", () => {
  const PERIODS = ["day", "week", "month", "quarter", "year"];
  /** Every dashboard and usage view (ending at END) of the admin and of three users. */
  async function views() {
    const get = (user: TestUser, path: string) => call("GET", `/api/v1/analytics/${path}`, { token: user.accessToken });
    const jobs: Promise<[string, unknown]>[] = [];
    for (const user of [admin, a, b, c]) {
      for (const period of PERIODS) {
        jobs.push(
          get(user, `dashboard?period=${period}&${AT}`).then((dash) => {
            expect(dash.status).toBe(200);
            const series = dash.body.data.series.filter((x: any) => x.created || x.sent || x.executed);
            return [`${user.user.id} dashboard ${period}`, { summary: dash.body.data.summary, series }];
          }),
        );
        for (const groupBy of ["user", "team", "document_type"]) {
          jobs.push(
            get(user, `usage?groupBy=${groupBy}&period=${period}&${AT}`).then((usage) => {
              expect(usage.status).toBe(200);
              return [`${user.user.id} usage ${groupBy} ${period}`, usage.body.data.groups];
            }),
          );
        }
      }
    }
    return Object.fromEntries(await Promise.all(jobs));
  }
  const rollUp = () => rollUpAnalytics(env, new Date());
  async function dirtyPastDays() {
    const today = new Date().toISOString().slice(0, 10);
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM analytics_dirty WHERE day < ?").bind(today).first();
    return row!.n;
  }
  /** The admin's quarter figures, computed here from the seeded rows. */
  function expectedQuarter() {
    const sent = data.contracts.filter((k) => k.sentAt);
    const executed = data.contracts.filter((k) => k.activatedAt);
    const hours = executed.map((k) => (Date.parse(k.activatedAt!) - Date.parse(k.sentAt!)) / 3_600_000);
    return {
      contractsCreated: data.contracts.length,
      contractsSent: sent.length,
      contractsExecuted: executed.length,
      signatureRate: r4(sent.filter((k) => k.activatedAt).length, sent.length),
      averageHoursToExecute: r2(hours.reduce((s, h) => s + h, 0) / hours.length),
    };
  }
  function expectedTeams(userId: string | "admin") {
    const rows = visible(userId);
    return Object.fromEntries(
      [...new Set(rows.map((k) => String(k.teamId)))].map((t) => [
        t,
        rows.filter((k) => String(k.teamId) === t).length,
      ]),
    );
  }
  async function actualTeams(user: TestUser) {
    const res = await call("GET", `/api/v1/analytics/usage?groupBy=team&period=quarter&${AT}`, {
      token: user.accessToken,
    });
    return Object.fromEntries(res.body.data.groups.map((g: any) => [String(g.key), g.contractsCreated]));
  }

  it("runs every five minutes, rolls up every past day, and every figure stays what the source rows give", async () => {
    expect(SCHEDULES["*/5 * * * *"]).toContain(rollUpAnalytics);
    const before = await views();
    expect(await dirtyPastDays()).toBeGreaterThan(0);
    // A bounded share of days per run: run until a run finds nothing left.
    let runs = 0;
    while ((await rollUp()).days > 0) runs++;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(await dirtyPastDays()).toBe(0);
    const rolled = await env.DB.prepare("SELECT SUM(created) AS n FROM analytics_daily WHERE grain = 'all'").first();
    expect(rolled!.n).toBeGreaterThan(0);
    expect(await views()).toEqual(before);
    const quarter = await call("GET", `/api/v1/analytics/dashboard?period=quarter&${AT}`, { token: admin.accessToken });
    expect(quarter.body.data.summary).toMatchObject(expectedQuarter());
  });

  it("a write after the roll-up shows at once (its days are read live), and still after the next run", async () => {
    // Execute a contract sent weeks ago (its sending day is rolled up) and move another from team 1 to team 2.
    const waiting = data.contracts.find((k) => k.sentAt && !k.activatedAt && k.status === "pending")!;
    const moved = data.contracts.find((k) => k.teamId === T1 && k.ownerId === a.user.id)!;
    const activatedAt = new Date(Date.parse(END) - 3_600_000).toISOString();
    await env.DB.batch([
      env.DB.prepare("UPDATE contracts SET activated_at = ?, status = 'active' WHERE id = ?").bind(
        activatedAt,
        waiting.id,
      ),
      env.DB.prepare("UPDATE contracts SET team_id = ? WHERE id = ?").bind(T2, moved.id),
    ]);
    waiting.activatedAt = activatedAt;
    moved.teamId = T2;
    for (const round of ["before the cron", "after the cron"]) {
      const quarter = await call("GET", `/api/v1/analytics/dashboard?period=quarter&${AT}`, {
        token: admin.accessToken,
      });
      expect(quarter.body.data.summary, round).toMatchObject(expectedQuarter());
      expect(await actualTeams(admin), round).toEqual(expectedTeams("admin"));
      expect(await actualTeams(b), round).toEqual(expectedTeams(b.user.id));
      expect(await actualTeams(c), round).toEqual(expectedTeams(c.user.id));
      await rollUp();
    }
    expect(await dirtyPastDays()).toBe(0);
  });
});

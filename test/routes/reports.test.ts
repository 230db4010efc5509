// Reports (issue 16.1): the figures a client reads, checked against values computed here from the seeded rows,
// who sees what, bad input, and exports through the real queue into R2 (csv, xlsx read back by exceljs, pdf read by
// poppler, json), with progress on the personal live feed and expiry by the cron task.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call, fetchWorker } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";
import { seedReportData, type SeedContract, type SeedEscrow, type SeedSigner } from "../helpers/report-seed";
import { LiveClient } from "../durable-objects/live-client";
import { expireReports } from "../../src/cron/report-expiry";

const TAG = "rptA";
const T1 = `team_${TAG}T1000000000000000`.slice(0, 25);
const T2 = `team_${TAG}T2000000000000000`.slice(0, 25);
// Whole-database figures (an admin sees everything in the window): the rows are seeded in a year no other test file
// writes to, whose calendar is 2026's (1 January a Thursday, no leap day), so weeks start on 5 January.
const YEAR = "2015";
const START = `${YEAR}-01-05T00:00:00.000Z`;
const END = `${YEAR}-03-31T00:00:00.000Z`;
const WINDOW = `startDate=${START}&endDate=${END}`;
const DAY = 86_400_000;

let admin: TestUser, a: TestUser, b: TestUser, c: TestUser, d: TestUser;
let data: { contracts: SeedContract[]; signers: SeedSigner[]; escrows: SeedEscrow[] };
const teamsOf: Record<string, Record<string, string>> = {};

// ---- expected values, computed independently of src/ ----

const inWindow = (t: string | null) => t !== null && t >= START && t <= END;
function visible(userId: string | "admin", teamId?: string) {
  return data.contracts.filter((k) => {
    if (teamId) return k.teamId === teamId;
    if (userId === "admin") return true;
    return k.ownerId === userId || (k.teamId !== null && k.teamId in (teamsOf[userId] ?? {}));
  });
}
function mondayOf(t: string) {
  const x = new Date(t);
  const back = (x.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(x.getUTCFullYear(), x.getUTCMonth(), x.getUTCDate() - back)).toISOString().slice(0, 10);
}
function mid(values: number[]) {
  if (!values.length) return null;
  const s = [...values].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
const r4 = (n: number, dd: number) => (dd === 0 ? null : Math.round((n / dd) * 10_000) / 10_000);
const countBy = <T>(rows: T[], key: (r: T) => string) =>
  rows.reduce<Record<string, number>>((acc, r) => ((acc[key(r)] = (acc[key(r)] ?? 0) + 1), acc), {});

async function poll(id: string, token: string) {
  for (let i = 0; i < 300; i++) {
    const res = await call("GET", `/api/v1/reports/${id}`, { token });
    if (res.body.data?.status === "ready" || res.body.data?.status === "failed") return res;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`report ${id} did not finish`);
}

/**
 * Takes out the reports other test files left (they share this database): waits up to a minute for their exports to
 * finish (so no running job loses its record), then removes every report due within a day and a minute.
 */
async function settleReports() {
  for (let i = 0; i < 300; i++) {
    const busy = await env.DB.prepare("SELECT count(*) AS n FROM reports WHERE status IN ('queued', 'running')").first<{
      n: number;
    }>();
    if (busy!.n === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const at = new Date(Date.now() + DAY + 60_000);
  while ((await expireReports(env as never, at)).removed > 0);
}

beforeAll(async () => {
  [admin, a, b, c, d] = await Promise.all([
    createUser({ role: "admin", name: "Ada Admin" }),
    createUser({ name: "Alice Lead" }),
    createUser({ name: "Bob Member" }),
    createUser({ name: "Cleo Other" }),
    createUser({ name: "Dan Solo" }),
  ]);
  teamsOf[a.user.id] = { [T1]: "admin" };
  teamsOf[b.user.id] = { [T1]: "member" };
  teamsOf[c.user.id] = { [T2]: "owner" };
  teamsOf[d.user.id] = {};
  data = await seedReportData({
    tag: TAG,
    people: [a, b, c, d].map((u) => ({ id: u.user.id, email: u.email, teams: teamsOf[u.user.id] as never })),
    teamIds: [T1, T2],
    start: START,
    weeks: 8,
    contracts: 360,
    escrows: 63,
  });
}, 120_000);

describe("GET /reports/contracts", () => {
  it("counts by status, ages open contracts and gives events per month, for an admin over everything", async () => {
    const res = await call("GET", `/api/v1/reports/contracts?${WINDOW}&period=month`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    const all = visible("admin").filter((k) => inWindow(k.createdAt));
    expect(res.body.data.total).toBe(all.length);
    expect(res.body.data.byStatus).toEqual({
      draft: 0,
      pending: 0,
      active: 0,
      completed: 0,
      cancelled: 0,
      ...countBy(all, (k) => k.status),
    });
    const band = (days: number) => (days <= 7 ? "0-7d" : days <= 30 ? "8-30d" : days <= 90 ? "31-90d" : "91d+");
    const pendingBands = countBy(
      all.filter((k) => k.status === "pending"),
      (k) => band(Math.floor((Date.parse(END) - Date.parse(k.sentAt!)) / DAY)),
    );
    expect(Object.fromEntries(res.body.data.ageing.pending.map((x: any) => [x.band, x.count]))).toEqual({
      "0-7d": 0,
      "8-30d": 0,
      "31-90d": 0,
      "91d+": 0,
      ...pendingBands,
    });
    const months = [`${YEAR}-01`, `${YEAR}-02`, `${YEAR}-03`];
    expect(res.body.data.series.map((s: any) => s.period)).toEqual(months);
    for (const s of res.body.data.series) {
      expect(s.created).toBe(all.filter((k) => k.createdAt.startsWith(s.period)).length);
      expect(s.executed).toBe(
        visible("admin").filter((k) => inWindow(k.activatedAt) && k.activatedAt!.startsWith(s.period)).length,
      );
    }
  });

  it("a user sees their own and their teams' contracts; a type and status filter narrow them", async () => {
    const res = await call("GET", `/api/v1/reports/contracts?${WINDOW}&type=nda`, { token: a.accessToken });
    const mine = visible(a.user.id).filter((k) => inWindow(k.createdAt) && k.type === "nda");
    expect(res.body.data.total).toBe(mine.length);
    expect(mine.length).toBeLessThan(visible("admin").filter((k) => k.type === "nda").length);
    const pending = await call("GET", `/api/v1/reports/contracts?${WINDOW}&status=pending`, { token: d.accessToken });
    expect(pending.body.data.total).toBe(visible(d.user.id).filter((k) => k.status === "pending").length);
  });

  it("teamId narrows to one team for its members; a non-member is told the team does not exist", async () => {
    const res = await call("GET", `/api/v1/reports/contracts?${WINDOW}&teamId=${T1}`, { token: b.accessToken });
    expect(res.body.data.total).toBe(visible(b.user.id, T1).length);
    const outsider = await call("GET", `/api/v1/reports/contracts?${WINDOW}&teamId=${T1}`, { token: c.accessToken });
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe("RES001");
  });

  it("refuses a bad window, an unknown status and a series of too many buckets (VAL001)", async () => {
    const backwards = await call("GET", `/api/v1/reports/contracts?startDate=${END}&endDate=${START}`, {
      token: a.accessToken,
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe("VAL001");
    const status = await call("GET", `/api/v1/reports/contracts?status=funds_held`, { token: a.accessToken });
    expect(status.body.error.details[0].path).toBe("status");
    const days = await call(
      "GET",
      `/api/v1/reports/signatures?period=day&startDate=2020-01-01T00:00:00Z&endDate=2026-01-01T00:00:00Z`,
      {
        token: a.accessToken,
      },
    );
    expect(days.body.error.code).toBe("VAL001");
    const period = await call("GET", `/api/v1/reports/escrows?period=fortnight`, { token: a.accessToken });
    expect(period.body.error.code).toBe("VAL001");
  });

  it("needs a caller, and an API key needs reports:read (AUTH004, AUTH003)", async () => {
    const anonymous = await call("GET", "/api/v1/reports/contracts");
    expect(anonymous.status).toBe(401);
    const key = await call("POST", "/api/v1/api-keys", {
      token: a.accessToken,
      body: { name: "no reports", scopes: ["contracts:read"] },
    });
    const denied = await call("GET", "/api/v1/reports/contracts", { token: key.body.data.secret });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("AUTH003");
    const reader = await call("POST", "/api/v1/api-keys", {
      token: a.accessToken,
      body: { name: "reports", scopes: ["reports:read"] },
    });
    expect((await call("GET", `/api/v1/reports/contracts?${WINDOW}`, { token: reader.body.data.secret })).status).toBe(
      200,
    );
  });
});

describe("GET /reports/signatures", () => {
  it("gives completion rate, median hours to sign and approver turnaround per week", async () => {
    const res = await call("GET", `/api/v1/reports/signatures?${WINDOW}&period=week`, { token: a.accessToken });
    expect(res.status).toBe(200);
    const sent = visible(a.user.id).filter((k) => inWindow(k.sentAt));
    const byId = new Map(sent.map((k) => [k.id, k]));
    const hoursOf = (s: SeedSigner) =>
      (Date.parse(s.signedAt!) - Date.parse(byId.get(s.contractId)!.sentAt!)) / 3_600_000;
    const signed = data.signers.filter((s) => byId.has(s.contractId) && s.status === "signed");
    const t = res.body.data.totals;
    expect(t.sent).toBe(sent.length);
    expect(t.completed).toBe(sent.filter((k) => k.activatedAt).length);
    expect(t.completionRate).toBe(r4(t.completed, sent.length));
    expect(t.signatures).toBe(signed.filter((s) => s.role === "signer").length);
    expect(t.medianHoursToSign).toBe(r2(mid(signed.filter((s) => s.role === "signer").map(hoursOf))));
    const approvals = signed.filter((s) => s.role === "approver").map(hoursOf);
    expect(res.body.data.approverTurnaround).toEqual({
      approvals: approvals.length,
      medianHours: r2(mid(approvals)),
      averageHours: r2(approvals.reduce((x, y) => x + y, 0) / approvals.length),
    });
    for (const week of res.body.data.series) {
      const inWeek = sent.filter((k) => mondayOf(k.sentAt!) === week.period);
      const weekSigned = signed.filter(
        (s) => s.role === "signer" && mondayOf(byId.get(s.contractId)!.sentAt!) === week.period,
      );
      expect(week.sent).toBe(inWeek.length);
      expect(week.completionRate).toBe(r4(inWeek.filter((k) => k.activatedAt).length, inWeek.length));
      expect(week.medianHoursToSign).toBe(r2(mid(weekSigned.map(hoursOf))));
    }
    expect(res.body.data.series[0].period).toBe(`${YEAR}-01-05`);
    expect(res.body.data.series.length).toBe(13);
  });
});

describe("GET /reports/activity", () => {
  const expected = (u: TestUser) => ({
    userId: u.user.id,
    name: u.user.name,
    email: u.email,
    contractsCreated: data.contracts.filter((k) => k.ownerId === u.user.id && inWindow(k.createdAt)).length,
    contractsSent: data.contracts.filter((k) => k.ownerId === u.user.id && inWindow(k.sentAt)).length,
    signaturesGiven: data.signers.filter((s) => s.email === u.email && s.status === "signed" && inWindow(s.signedAt))
      .length,
    escrowsOpened: data.escrows.filter((e) => e.buyerId === u.user.id && inWindow(e.createdAt)).length,
  });

  it("a team admin sees their members, a member only themself, an admin everyone active", async () => {
    const lead = await call("GET", `/api/v1/reports/activity?${WINDOW}`, { token: a.accessToken });
    expect(lead.status).toBe(200);
    const ids = lead.body.data.users.map((x: any) => x.userId).sort();
    expect(ids).toEqual([a.user.id, b.user.id].sort());
    expect(lead.body.data.users.find((x: any) => x.userId === b.user.id)).toEqual(expected(b));
    const member = await call("GET", `/api/v1/reports/activity?${WINDOW}`, { token: b.accessToken });
    expect(member.body.data.users).toEqual([expected(b)]);
    const all = await call("GET", `/api/v1/reports/activity?${WINDOW}`, { token: admin.accessToken });
    expect(all.body.data.users.map((x: any) => x.userId).sort()).toEqual([a, b, c, d].map((u) => u.user.id).sort());
    expect(all.body.data.truncated).toBe(false);
  });
});

describe("GET /reports/escrows", () => {
  it("sums volume, commission, payouts and refunds per currency and counts disputes", async () => {
    const res = await call("GET", `/api/v1/reports/escrows?${WINDOW}`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    const all = data.escrows.filter((e) => inWindow(e.createdAt));
    expect(new Set(all.map((e) => e.status)).size).toBe(9);
    for (const currency of ["NGN", "USD"]) {
      const mine = all.filter((e) => e.currency === currency);
      const sum = (rows: SeedEscrow[], f: (e: SeedEscrow) => number) => rows.reduce((s, e) => s + f(e), 0);
      expect(res.body.data.byCurrency.find((x: any) => x.currency === currency)).toEqual({
        currency,
        count: mine.length,
        funded: mine.filter((e) => e.fundedAt).length,
        volume: sum(
          mine.filter((e) => e.fundedAt),
          (e) => e.amount,
        ),
        commission: sum(
          mine.filter((e) => e.releasedAt),
          (e) => e.commission,
        ),
        payouts: sum(
          mine.filter((e) => e.payoutStatus === "sent"),
          (e) => e.sellerPayout,
        ),
        refunded: sum(
          mine.filter((e) => e.refundedAt),
          (e) => e.amount,
        ),
      });
    }
    expect(res.body.data.disputes).toEqual({
      opened: all.filter((e) => e.disputedAt).length,
      open: all.filter((e) => e.status === "disputed").length,
      refunded: all.filter((e) => e.disputedAt && e.refundedAt).length,
      released: all.filter((e) => e.disputedAt && e.releasedAt).length,
    });
    expect(res.body.data.byStatus).toEqual({
      pending: 0,
      funds_held: 0,
      contract_signed: 0,
      credentials_released: 0,
      completed: 0,
      refunded: 0,
      disputed: 0,
      cancelled: 0,
      expired: 0,
      ...countBy(all, (e) => e.status),
    });
  });

  it("a user sees escrows they are party to or that are bound to their teams' contracts", async () => {
    const res = await call("GET", `/api/v1/reports/escrows?${WINDOW}&status=completed`, { token: d.accessToken });
    const teamContracts = new Set(
      data.contracts.filter((k) => k.teamId && k.teamId in teamsOf[d.user.id]!).map((k) => k.id),
    );
    const mine = data.escrows.filter(
      (e) =>
        e.status === "completed" &&
        (e.buyerId === d.user.id || e.sellerId === d.user.id || (e.contractId && teamContracts.has(e.contractId))),
    );
    expect(res.body.data.byStatus.completed).toBe(mine.length);
  });
});

describe("POST /reports (exports)", () => {
  it("writes a CSV through the queue with progress and ready on the live feed; the file holds the visible rows", async () => {
    const feed = await LiveClient.authed(`/api/v1/live?userId=${a.user.id}`, a.accessToken);
    const created = await call("POST", "/api/v1/reports", {
      token: a.accessToken,
      body: { kind: "contracts", format: "csv", filters: { startDate: START, endDate: END } },
    });
    expect(created.status).toBe(202);
    expect(created.body.data).toMatchObject({
      kind: "contracts",
      format: "csv",
      status: "queued",
      progress: 0,
      downloadUrl: null,
    });
    const id = created.body.data.id;
    const done = await poll(id, a.accessToken);
    const expectedRows = visible(a.user.id).filter((k) => inWindow(k.createdAt));
    expect(done.body.data).toMatchObject({
      status: "ready",
      progress: 100,
      rowCount: expectedRows.length,
      downloadUrl: `/api/v1/reports/${id}/download`,
    });
    const events = await feed.until("report.ready", 10_000);
    expect(events.some((m) => m.type === "report.progress" && m.data.reportId === id)).toBe(true);
    expect(events.at(-1)).toMatchObject({
      type: "report.ready",
      data: { reportId: id, status: "ready", progress: 100, rowCount: expectedRows.length },
    });
    await feed.close();

    const file = await fetchWorker(`/api/v1/reports/${id}/download`, {
      headers: { authorization: `Bearer ${a.accessToken}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toContain("text/csv");
    expect(file.headers.get("content-disposition")).toContain(`escra-contracts-report-${id}.csv`);
    const lines = (await file.text())
      .replace(/^\ufeff/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(
      "Contract ID,Title,Type,Status,Team ID,Owner ID,Value (minor units),Currency,Created at,Sent at,Executed at,Cancelled at",
    );
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",")[0])
        .sort(),
    ).toEqual(expectedRows.map((k) => k.id).sort());
  });

  it("writes an XLSX that exceljs reads back, row for row", async () => {
    const created = await call("POST", "/api/v1/reports", {
      token: admin.accessToken,
      body: { kind: "escrows", format: "xlsx", filters: { startDate: START, endDate: END } },
    });
    const done = await poll(created.body.data.id, admin.accessToken);
    expect(done.body.data.status).toBe("ready");
    const file = await fetchWorker(`/api/v1/reports/${created.body.data.id}/download`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    const read = await fetch(`${env.PDF_TOOLS_URL}/xlsx`, { method: "POST", body: await file.arrayBuffer() });
    expect(read.status).toBe(200);
    const sheet = (await read.json()) as { rowCount: number; head: unknown[][]; last: unknown[] };
    expect(sheet.rowCount).toBe(data.escrows.length + 1);
    expect(sheet.head[0]!.slice(0, 4)).toEqual(["Escrow ID", "Status", "Currency", "Amount (minor units)"]);
    const first = [...data.escrows].sort((x, y) => (x.id < y.id ? -1 : 1))[0]!;
    expect(sheet.head[1]!.slice(0, 4)).toEqual([first.id, first.status, first.currency, first.amount]);
  });

  it("writes a PDF with the figures and a vector chart, and a JSON with summary and rows", async () => {
    const pdf = await call("POST", "/api/v1/reports", {
      token: a.accessToken,
      body: { kind: "signatures", format: "pdf", filters: { startDate: START, endDate: END, period: "week" } },
    });
    const json = await call("POST", "/api/v1/reports", {
      token: b.accessToken,
      body: { kind: "activity", format: "json", filters: { startDate: START, endDate: END } },
    });
    expect((await poll(pdf.body.data.id, a.accessToken)).body.data.status).toBe("ready");
    expect((await poll(json.body.data.id, b.accessToken)).body.data.status).toBe("ready");

    const pdfFile = await fetchWorker(`/api/v1/reports/${pdf.body.data.id}/download`, {
      headers: { authorization: `Bearer ${a.accessToken}` },
    });
    expect(pdfFile.headers.get("content-type")).toBe("application/pdf");
    const bytes = await pdfFile.arrayBuffer();
    const text = await (await fetch(`${env.PDF_TOOLS_URL}/pdftotext`, { method: "POST", body: bytes })).text();
    expect(text).toContain("Signatures report");
    expect(text).toContain("Completion rate");
    expect(text).toContain("Signatures per period");
    const sent = visible(a.user.id).filter((k) => inWindow(k.sentAt)).length;
    expect(text).toContain(String(sent));

    const jsonFile = await fetchWorker(`/api/v1/reports/${json.body.data.id}/download`, {
      headers: { authorization: `Bearer ${b.accessToken}` },
    });
    const parsed = (await jsonFile.json()) as any;
    expect(parsed.meta.kind).toBe("activity");
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.rows[0].userId).toBe(b.user.id);
    expect(parsed.meta.summary.users[0].userId).toBe(b.user.id);
  });

  it("is visible only to who asked or the report team's admins; unknown ids are RES001; bad bodies VAL001", async () => {
    const teamReport = await call("POST", "/api/v1/reports", {
      token: b.accessToken,
      body: { kind: "contracts", format: "json", filters: { teamId: T1, startDate: START, endDate: END } },
    });
    expect(teamReport.status).toBe(202);
    const id = teamReport.body.data.id;
    expect((await call("GET", `/api/v1/reports/${id}`, { token: a.accessToken })).status).toBe(200);
    expect((await call("GET", `/api/v1/reports/${id}`, { token: c.accessToken })).body.error.code).toBe("RES001");
    expect((await call("GET", `/api/v1/reports/${id}/download`, { token: d.accessToken })).body.error.code).toBe(
      "RES001",
    );
    const personal = await call("POST", "/api/v1/reports", {
      token: b.accessToken,
      body: { kind: "contracts", format: "csv" },
    });
    expect(
      (await call("GET", `/api/v1/reports/${personal.body.data.id}`, { token: a.accessToken })).body.error.code,
    ).toBe("RES001");
    expect(
      (await call("GET", "/api/v1/reports/rpt_00000000000000000000", { token: a.accessToken })).body.error.code,
    ).toBe("RES001");
    expect((await call("GET", "/api/v1/reports/nope", { token: a.accessToken })).body.error.code).toBe("VAL001");
    const bad = await call("POST", "/api/v1/reports", {
      token: a.accessToken,
      body: { kind: "contracts", format: "docx" },
    });
    expect(bad.body.error.code).toBe("VAL001");
    const foreignTeam = await call("POST", "/api/v1/reports", {
      token: d.accessToken,
      body: { kind: "contracts", format: "csv", filters: { teamId: T2 } },
    });
    expect(foreignTeam.body.error.code).toBe("RES001");
    const readOnly = await call("POST", "/api/v1/api-keys", {
      token: a.accessToken,
      body: { name: "read", scopes: ["reports:read"] },
    });
    const refused = await call("POST", "/api/v1/reports", {
      token: readOnly.body.data.secret,
      body: { kind: "contracts", format: "csv" },
    });
    expect(refused.body.error.code).toBe("AUTH003");
    await poll(id, b.accessToken);
    await poll(personal.body.data.id, b.accessToken);
  });

  it("a download before the file is ready is RES002; the cron removes expired reports and their files", async () => {
    // The cron takes 200 due reports a run, oldest first: with other files' reports gone, it meets this test's.
    await settleReports();
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO reports (id, owner_id, kind, format, filters, status, progress, created_at, updated_at, expires_at)
       VALUES ('rpt_${TAG}queued0000000000', ?, 'contracts', 'csv', '{}', 'running', 40, ?, ?, ?)`,
    )
      .bind(d.user.id, now, now, new Date(Date.now() + DAY).toISOString())
      .run();
    const early = await call("GET", `/api/v1/reports/rpt_${TAG}queued0000000000/download`, { token: d.accessToken });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe("RES002");

    const made = await call("POST", "/api/v1/reports", {
      token: d.accessToken,
      body: { kind: "escrows", format: "csv" },
    });
    const ready = await poll(made.body.data.id, d.accessToken);
    const key = `reports/${made.body.data.id}/escra-escrows-report-${made.body.data.id}.csv`;
    expect(await env.DOCUMENTS.head(key)).not.toBeNull();
    // REPORT_TTL_HOURS defaults to 24: a day and a minute later the cron removes it.
    const result = await expireReports(env as never, new Date(Date.parse(ready.body.data.expiresAt) + 60_000));
    expect(result.removed).toBeGreaterThanOrEqual(2);
    expect(await env.DOCUMENTS.head(key)).toBeNull();
    expect((await call("GET", `/api/v1/reports/${made.body.data.id}`, { token: d.accessToken })).body.error.code).toBe(
      "RES001",
    );
  });
});

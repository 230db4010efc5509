// The pure rules of reports: filters and their defaults, who sees what, period buckets, figures and the XLSX parts.
import { describe, expect, it } from "vitest";
import {
  ageingBand,
  bucketOf,
  bucketsBetween,
  decideReportScope,
  exportCells,
  hours,
  mayReadReport,
  median,
  progressPercent,
  rate,
  reportExpiry,
  reportTtlHours,
  resolveFilters,
  shapeContractsReport,
  shapeSignaturesReport,
} from "../../src/domain/reports";
import { columnName, neutralizeFormula, sheetRowXml, xmlText } from "../../src/lib/report-files";
import { niceMax } from "../../src/lib/report-pdf";

const NOW = new Date("2026-11-30T12:00:00.000Z");

describe("report filters", () => {
  it("default to the year before now, by month", () => {
    expect(resolveFilters("contracts", {}, NOW)).toEqual({
      filters: { period: "month", startDate: "2025-11-30T12:00:00.000Z", endDate: "2026-11-30T12:00:00.000Z" },
    });
  });

  it("refuse a window that ends before it starts, a status of another kind and too many buckets", () => {
    expect(
      resolveFilters("contracts", { startDate: "2026-02-01T00:00:00.000Z", endDate: "2026-01-01T00:00:00.000Z" }, NOW),
    ).toEqual({
      problems: [{ path: "startDate", message: "must not be after endDate" }],
    });
    expect(resolveFilters("contracts", { status: "funds_held" }, NOW)).toMatchObject({
      problems: [{ path: "status" }],
    });
    expect(resolveFilters("escrows", { status: "funds_held" }, NOW)).toHaveProperty("filters");
    expect(resolveFilters("activity", { status: "draft" }, NOW)).toMatchObject({ problems: [{ path: "status" }] });
    expect(resolveFilters("signatures", { period: "day", startDate: "2020-01-01T00:00:00.000Z" }, NOW)).toMatchObject({
      problems: [{ path: "period" }],
    });
  });
});

describe("report scope", () => {
  const teams = [
    { teamId: "team_a", role: "admin" as const },
    { teamId: "team_m", role: "member" as const },
  ];
  it("admins see everything; users their own and their teams', listing the members of teams they administer", () => {
    expect(decideReportScope({ role: "admin", userId: "usr_1", teamRoles: [] })).toEqual({
      data: { kind: "all" },
      people: { kind: "all" },
    });
    expect(decideReportScope({ role: "user", userId: "usr_1", teamRoles: teams })).toEqual({
      data: { kind: "user", userId: "usr_1" },
      people: { kind: "teams", userId: "usr_1", teamIds: ["team_a"] },
    });
    expect(decideReportScope({ role: "user", userId: "usr_1", teamRoles: [] })).toEqual({
      data: { kind: "user", userId: "usr_1" },
      people: { kind: "self", userId: "usr_1" },
    });
  });

  it("a team filter needs membership; a plain member of it sees the team's contracts but only their own activity", () => {
    expect(decideReportScope({ role: "user", userId: "usr_1", teamRoles: teams, teamId: "team_x" })).toBe("not_member");
    expect(decideReportScope({ role: "user", userId: "usr_1", teamRoles: teams, teamId: "team_m" })).toEqual({
      data: { kind: "team", teamId: "team_m" },
      people: { kind: "self", userId: "usr_1" },
    });
    expect(decideReportScope({ role: "super_admin", userId: "usr_1", teamRoles: [], teamId: "team_x" })).toMatchObject({
      people: { kind: "teams", teamIds: ["team_x"] },
    });
  });

  it("an export is readable by who asked and the owners/admins of the team it is about", () => {
    const report = { ownerId: "usr_1", teamId: "team_a" };
    expect(mayReadReport(report, { userId: "usr_1", teamRoles: [] })).toBe(true);
    expect(mayReadReport(report, { userId: "usr_2", teamRoles: [{ teamId: "team_a", role: "owner" }] })).toBe(true);
    expect(mayReadReport(report, { userId: "usr_2", teamRoles: [{ teamId: "team_a", role: "member" }] })).toBe(false);
    expect(
      mayReadReport(
        { ownerId: "usr_1", teamId: null },
        { userId: "usr_2", teamRoles: [{ teamId: "team_a", role: "admin" }] },
      ),
    ).toBe(false);
  });
});

describe("periods", () => {
  it("bucket instants by UTC day, ISO week (Monday), month, quarter and year", () => {
    expect(bucketOf("day", "2026-11-30T23:59:59.999Z")).toBe("2026-11-30");
    expect(bucketOf("week", "2026-11-29T10:00:00.000Z")).toBe("2026-11-23"); // a Sunday → the Monday before
    expect(bucketOf("week", "2026-11-30T00:00:00.000Z")).toBe("2026-11-30"); // a Monday is its own week
    expect(bucketOf("month", "2026-02-28T00:00:00.000Z")).toBe("2026-02");
    expect(bucketOf("quarter", "2026-12-31T00:00:00.000Z")).toBe("2026-Q4");
    expect(bucketOf("quarter", "2026-04-01T00:00:00.000Z")).toBe("2026-Q2");
    expect(bucketOf("year", "2026-04-01T00:00:00.000Z")).toBe("2026");
  });

  it("list every bucket of a window, including those at its edges", () => {
    expect(bucketsBetween("month", "2026-01-31T00:00:00.000Z", "2026-03-01T00:00:00.000Z")).toEqual([
      "2026-01",
      "2026-02",
      "2026-03",
    ]);
    expect(bucketsBetween("week", "2026-01-07T00:00:00.000Z", "2026-01-19T00:00:00.000Z")).toEqual([
      "2026-01-05",
      "2026-01-12",
      "2026-01-19",
    ]);
    expect(bucketsBetween("quarter", "2025-12-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z")).toEqual([
      "2025-Q4",
      "2026-Q1",
      "2026-Q2",
    ]);
    expect(bucketsBetween("day", "2026-01-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z", 10)).toHaveLength(10);
  });
});

describe("figures", () => {
  it("median, rate, hours and ageing bands", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(rate(5, 6)).toBe(0.8333);
    expect(rate(1, 0)).toBeNull();
    expect(hours(5.249999999)).toBe(5.25);
    expect(hours(null)).toBeNull();
    expect([0, 7, 8, 30, 31, 90, 91, 400].map(ageingBand)).toEqual([
      "0-7d",
      "0-7d",
      "8-30d",
      "8-30d",
      "31-90d",
      "31-90d",
      "91d+",
      "91d+",
    ]);
    expect(progressPercent(999, 1000, false)).toBe(99);
    expect(progressPercent(1000, 1000, false)).toBe(99);
    expect(progressPercent(1000, 1000, true)).toBe(100);
    expect(progressPercent(0, 0, false)).toBe(0);
  });

  it("fill every status and every bucket, so clients never guess a missing one", () => {
    const filters = {
      period: "month" as const,
      startDate: "2026-01-01T00:00:00.000Z",
      endDate: "2026-03-01T00:00:00.000Z",
    };
    const report = shapeContractsReport(filters, {
      byStatus: [{ key: "pending", count: 3 }],
      ageing: [{ status: "pending", band: "8-30d", count: 3 }],
      series: [{ bucket: "2026-02", created: 3, sent: 3, executed: 0, cancelled: 0 }],
    });
    expect(report.total).toBe(3);
    expect(report.byStatus).toEqual({ draft: 0, pending: 3, active: 0, completed: 0, cancelled: 0 });
    expect(report.ageing.pending.map((b) => b.count)).toEqual([0, 3, 0, 0]);
    expect(report.series.map((s) => [s.period, s.created])).toEqual([
      ["2026-01", 0],
      ["2026-02", 3],
      ["2026-03", 0],
    ]);
    const sig = shapeSignaturesReport(filters, {
      series: [],
      totals: {
        sent: 0,
        completed: 0,
        signatures: 0,
        medianHoursToSign: null,
        approvals: 0,
        approverMedianHours: null,
        approverAverageHours: null,
      },
    });
    expect(sig.totals.completionRate).toBeNull();
    expect(sig.series[0]).toEqual({
      period: "2026-01",
      sent: 0,
      completed: 0,
      completionRate: null,
      signatures: 0,
      medianHoursToSign: null,
      approvals: 0,
      approverMedianHours: null,
    });
  });

  it("expiry from REPORT_TTL_HOURS, 24 h by default", () => {
    expect(reportTtlHours(undefined)).toBe(24);
    expect(reportTtlHours("-3")).toBe(24);
    expect(reportTtlHours("1.5")).toBe(1.5);
    expect(reportExpiry(NOW, 2)).toBe("2026-11-30T14:00:00.000Z");
  });
});

describe("export cells", () => {
  it("follow the kind's columns; spreadsheet formulas are neutralised in CSV; XML text is escaped and cleaned", () => {
    expect(
      exportCells("activity", { userId: "usr_1", name: "A", email: "a@x", contractsCreated: 2, extra: true }),
    ).toEqual(["usr_1", "A", "a@x", 2, null, null, null]);
    expect(neutralizeFormula('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutralizeFormula("-5")).toBe("'-5");
    expect(neutralizeFormula(-5)).toBe(-5);
    expect(xmlText('a<b>&"c"\u0001')).toBe("a&lt;b&gt;&amp;&quot;c&quot;");
    expect([0, 25, 26, 701, 702].map(columnName)).toEqual(["A", "Z", "AA", "ZZ", "AAA"]);
    expect(sheetRowXml(2, ["x", 5, null])).toBe(
      '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">x</t></is></c><c r="B2"><v>5</v></c></row>',
    );
    expect([0, 3, 10, 11, 180, 2_000].map(niceMax)).toEqual([1, 5, 10, 20, 200, 2_000]);
  });
});

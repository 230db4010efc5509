// /analytics: the dashboard (summary and time series of a rolling period) and usage by user, team or document type.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/router";
import { answers, bearerRoute, envelope } from "../lib/openapi";
import { ok } from "../lib/respond";
import { principalOf, requireScope } from "../lib/auth";
import { instant } from "../lib/time";
import { USAGE_GROUPS } from "../domain/analytics";
import { PERIODS } from "../domain/reports";
import { buildDashboard } from "../services/analytics/build-dashboard";
import { buildUsage } from "../services/analytics/build-usage";

const read = bearerRoute("Analytics", requireScope("analytics:read"));

const period = z.enum(PERIODS).default("month").openapi({
  description:
    "the rolling window ending at endDate: day by hour, week and month by day, quarter by week, year by month",
});
const endDate = instant({
  description:
    "end of the rolling window, e.g. the last day of a past quarter (default: now). Contracts count in the window " +
    "they were created in; the signature rate counts their executions up to now, so a past window's rate still " +
    "rises as its contracts are executed. A future endDate is accepted: the window simply holds nothing beyond now.",
}).optional();
/** The window's end as the services take it (they default to now). */
const endOf = (query: { endDate?: string }) => (query.endDate ? new Date(query.endDate) : undefined);

const windowSchema = z.object({
  period: z.enum(PERIODS),
  startDate: z.string(),
  endDate: z.string(),
  granularity: z.enum(["hour", ...PERIODS]),
});

const dashboardSchema = z
  .object({
    window: windowSchema,
    summary: z.object({
      contractsCreated: z.number().int(),
      contractsSent: z.number().int(),
      contractsExecuted: z.number().int(),
      signatureRate: z
        .number()
        .nullable()
        .openapi({ description: "of contracts sent in the window, the share executed; 4 decimals" }),
      averageHoursToExecute: z.number().nullable().openapi({ description: "mean hours from sent to executed" }),
      escrowVolume: z
        .array(z.object({ currency: z.string(), count: z.number().int(), amount: z.number().int() }))
        .openapi({
          description: "escrows funded in the window; amount in minor units",
        }),
    }),
    series: z.array(
      z.object({ period: z.string(), created: z.number().int(), sent: z.number().int(), executed: z.number().int() }),
    ),
  })
  .openapi("AnalyticsDashboard");

const usageSchema = z
  .object({
    window: windowSchema,
    groupBy: z.enum(USAGE_GROUPS),
    groups: z.array(
      z.object({
        key: z.string().nullable().openapi({ description: "user id, team id (null: no team) or document type" }),
        label: z.string().nullable(),
        contractsCreated: z.number().int(),
        contractsSent: z.number().int(),
        contractsExecuted: z.number().int(),
        executionRate: z.number().nullable(),
      }),
    ),
    truncated: z.boolean(),
  })
  .openapi("AnalyticsUsage");

const dashboardRoute = createRoute({
  ...read,
  method: "get",
  path: "/analytics/dashboard",
  summary:
    "Summary figures and time series: contracts created/sent/executed, signature rate, time to execute, escrow volume",
  description: "Covers your own contracts and your teams' (platform admins: everything).",
  request: { query: z.object({ period, endDate }) },
  responses: answers(200, envelope(dashboardSchema), "the dashboard", "AUTH003", "AUTH004"),
});

const usageRoute = createRoute({
  ...read,
  method: "get",
  path: "/analytics/usage",
  summary: "Contracts created in the period per user, team or document type (largest 100 groups)",
  description: "Covers your own contracts and your teams' (platform admins: everything).",
  request: { query: z.object({ groupBy: z.enum(USAGE_GROUPS), period, endDate }) },
  responses: answers(200, envelope(usageSchema), "usage", "AUTH003", "AUTH004"),
});

export const analyticsRoutes = createRouter()
  .openapi(dashboardRoute, async (c) => {
    const query = c.req.valid("query");
    return ok(c, await buildDashboard(c.env, principalOf(c), query.period, endOf(query)), 200);
  })
  .openapi(usageRoute, async (c) => {
    const query = c.req.valid("query");
    return ok(c, await buildUsage(c.env, principalOf(c), query, endOf(query)), 200);
  });

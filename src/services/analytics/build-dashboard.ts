// The analytics dashboard (GET /analytics/dashboard): the caller's scope (as for reports: own and teams',
// admins everything), the rolling window of the period, aggregates from src/db/analytics.ts, shaped in domain/.
import type { Bindings, Principal } from "../../env";
import { dashboardAggregates } from "../../db/analytics";
import { analyticsWindow, shapeDashboard } from "../../domain/analytics";
import type { Period } from "../../domain/reports";
import { scopeOf } from "../reports/build-report";

/** @param endDate the instant the rolling window ends at (GET's `endDate`; default now) */
export async function buildDashboard(
  env: Bindings,
  principal: Pick<Principal, "userId" | "role">,
  period: Period,
  endDate = new Date(),
) {
  const scope = await scopeOf(env, principal);
  const window = analyticsWindow(period, endDate);
  return shapeDashboard(window, await dashboardAggregates(env.DB, scope.data, window));
}

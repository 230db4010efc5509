// Usage analytics (GET /analytics/usage): contracts created in the window per owner, team or document type,
// within the caller's scope (own and teams', admins everything).
import type { Bindings, Principal } from "../../env";
import { usageRows } from "../../db/analytics";
import { analyticsWindow, shapeUsage, type UsageGroup } from "../../domain/analytics";
import type { Period } from "../../domain/reports";
import { scopeOf } from "../reports/build-report";

/** @param endDate the instant the rolling window ends at (GET's `endDate`; default now) */
export async function buildUsage(
  env: Bindings,
  principal: Pick<Principal, "userId" | "role">,
  input: { groupBy: UsageGroup; period: Period },
  endDate = new Date(),
) {
  const scope = await scopeOf(env, principal);
  const window = analyticsWindow(input.period, endDate);
  return shapeUsage(window, input.groupBy, await usageRows(env.DB, scope.data, window, input.groupBy));
}

// Usage analytics (GET /analytics/usage): contracts created in the window per owner, team or document type,
// within the caller's scope (own and teams', admins everything).
import type { Bindings, Principal } from "../../env";
import { usageRows } from "../../db/analytics";
import { analyticsWindow, shapeUsage, type UsageGroup } from "../../domain/analytics";
import type { Period } from "../../domain/reports";
import { scopeOf } from "../reports/build-report";

export async function buildUsage(
  env: Bindings,
  principal: Pick<Principal, "userId" | "role">,
  input: { groupBy: UsageGroup; period: Period },
  now = new Date(),
) {
  const scope = await scopeOf(env, principal);
  const window = analyticsWindow(input.period, now);
  return shapeUsage(window, input.groupBy, await usageRows(env.DB, scope.data, window, input.groupBy));
}
